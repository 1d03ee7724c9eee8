"""The decoding package's exceptions.

``DecodingError`` is the root; the subclasses a user can cause (a file that
will not load, a model that cannot run beams, a prompt that does not fit) are
also :class:`~config.errors.UserError` so the CLI prints them as one line.
"""

from __future__ import annotations

from config.errors import UserError


class DecodingError(Exception):
    """Anything that went wrong while loading a model or decoding with it."""


class ModelLoadError(DecodingError, UserError):
    """llama.cpp could not load the model file."""


class ModelCapabilityError(DecodingError, UserError):
    """The model lacks something the beam search needs (forking, truncation, a vocabulary)."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"model capabilities insufficient: {missing}")


class PromptTooLongError(DecodingError, UserError):
    """The prompt plus the tokens to generate do not fit the context window."""

    def __init__(self, prompt_tokens: int, max_tokens: int, n_ctx: int) -> None:
        super().__init__(
            f"the prompt is {prompt_tokens} tokens and {max_tokens} more are to be generated, "
            f"but the context holds {n_ctx}; shorten the prompt, lower --max-tokens "
            f"or raise --n-ctx"
        )
        self.prompt_tokens = prompt_tokens
        self.max_tokens = max_tokens
        self.n_ctx = n_ctx
