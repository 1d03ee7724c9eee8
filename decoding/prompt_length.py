"""Whether a prompt fits the context, judged from the model's vocabulary alone.

llama.cpp loads a GGUF's tokenizer and metadata without its weights
(``vocab_only``) in a fraction of a second (about 0.25 s for the default
model's 1.1 GB file, against about 5 s for the whole model), so a prompt too
long for the context is refused before the model loads, with the error the
generator would raise after it.

>>> with open_vocabulary(model_file.path) as vocabulary:
...     tokens = count_tokens(vocabulary, prompt.text, special=prompt.special_tokens)
>>> check_fits(tokens, max_tokens=256, n_ctx=4096)
"""

from __future__ import annotations

import logging
from pathlib import Path

from decoding.errors import ModelLoadError, PromptTooLongError
from decoding.llama_adapter import Vocabulary

log = logging.getLogger(__name__)


def open_vocabulary(path: Path) -> Vocabulary | None:
    """The vocabulary and metadata of the GGUF at ``path`` without its weights, or ``None``
    where llama.cpp cannot load them alone (the full load then says why)."""
    try:
        return Vocabulary.open(path)
    except ModelLoadError as exc:
        log.debug("no vocabulary-only load of %s: %s", path, exc)
        return None


def count_tokens(vocabulary: Vocabulary, text: str, *, special: bool) -> int:
    """The tokens of prompt ``text`` as the generator feeds it: with BOS, unless ``special``
    (a rendered chat template, whose special-token text is parsed and carries its own BOS)."""
    return len(vocabulary.tokenize(text, add_bos=not special, special=special))


def check_fits(prompt_tokens: int, max_tokens: int, n_ctx: int) -> None:
    """Raise ``PromptTooLongError`` unless ``prompt_tokens`` and ``max_tokens`` more fit a
    context of ``n_ctx`` (the generator's own rule)."""
    if prompt_tokens + max_tokens > n_ctx:
        raise PromptTooLongError(prompt_tokens, max_tokens, n_ctx)
