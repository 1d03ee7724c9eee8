"""Training records in each export format's shape, one JSON object per line.

- ``sft``: TRL's conversational prompt-completion record ``{"prompt": [system, user],
  "completion": [assistant]}``; SFTTrainer computes the loss on the completion only (the
  code), not on the task text.
- ``openai``: OpenAI's chat fine-tuning record ``{"messages": [system, user, assistant]}``,
  within OpenAI's constraints (roles system, user and assistant; every content a
  non-empty string). TRL (as conversational language modelling, loss on every token)
  and Axolotl's ``chat_template`` read it too.
- ``dpo``: TRL's conversational preference record ``{"prompt", "chosen", "rejected"}``.
- ``openai-dpo``: OpenAI's preference record ``{"input": {"messages"},
  "preferred_output", "non_preferred_output"}``.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from finetune.pairs import PreferencePair
from memory.episode import Episode

ExportFormat = Literal["sft", "dpo", "openai", "openai-dpo"]
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
DemonstrationFormat = Literal["sft", "openai"]
PreferenceFormat = Literal["dpo", "openai-dpo"]
PREFERENCE_FORMATS: frozenset[ExportFormat] = frozenset(get_args(PreferenceFormat))

#: OpenAI starts no fine-tuning job on fewer examples than this (its fine-tuning guide).
OPENAI_MIN_EXAMPLES = 10

SYSTEM_PROMPT = "You write complete, secure, type-hinted Python. Reply with the code only."

Message = dict[str, str]


def user_message(episode: Episode) -> str:
    """The request as a person would write it: the task, then the stub to complete."""
    if episode.stub:
        return f"{episode.task}\n\n```python\n{episode.stub.rstrip()}\n```"
    return episode.task


def prompt_messages(episode: Episode) -> list[Message]:
    """The system prompt and the user's request: what every record's model is asked."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_message(episode)},
    ]


def demonstration_record(episode: Episode, fmt: DemonstrationFormat) -> dict[str, Any] | None:
    """The ``sft`` or ``openai`` record of an approved episode's final code, or None when
    it has none (no code, or a request with no text: OpenAI refuses empty content)."""
    prompt = prompt_messages(episode)
    answer: list[Message] = [{"role": "assistant", "content": episode.final_code}]
    if not all(m["content"].strip() for m in prompt + answer):
        return None
    if fmt == "sft":
        return {"prompt": prompt, "completion": answer}
    return {"messages": prompt + answer}


def preference_record(pair: PreferencePair, fmt: PreferenceFormat) -> dict[str, Any] | None:
    """The ``dpo`` or ``openai-dpo`` record of a pair, or None when a message would be empty."""
    prompt = prompt_messages(pair.episode)
    chosen: list[Message] = [{"role": "assistant", "content": pair.chosen}]
    rejected: list[Message] = [{"role": "assistant", "content": pair.rejected}]
    if not all(m["content"].strip() for m in prompt + chosen + rejected):
        return None
    if fmt == "dpo":
        return {"prompt": prompt, "chosen": chosen, "rejected": rejected}
    return {
        "input": {"messages": prompt},
        "preferred_output": chosen,
        "non_preferred_output": rejected,
    }
