"""A model's chat template, rendered the way llama.cpp's own chat formatter does.

The template is Jinja from the GGUF (``tokenizer.chat_template``), run in a
sandbox: a template can only format text, never touch the machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from config.errors import UsageError

Message = Mapping[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


@dataclass(frozen=True)
class ChatTemplate:
    """A model's Jinja chat template and the special tokens it refers to."""

    source: str
    bos_token: str
    eos_token: str

    def render(self, messages: Sequence[Message]) -> str:
        """The conversation as the model's prompt text, ending where the assistant speaks next.

        Raises ``UsageError`` if the template cannot render these messages.
        """
        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        try:
            return environment.from_string(self.source).render(
                messages=[dict(m) for m in messages],
                add_generation_prompt=True,
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                raise_exception=_raise_template_error,
            )
        except TemplateError as exc:
            raise UsageError(
                f"the model's chat template cannot be rendered ({exc}); "
                "set model.use_chat_template: false"
            ) from None


def _raise_template_error(message: str) -> None:
    raise TemplateError(message)
