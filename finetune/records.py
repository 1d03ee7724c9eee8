"""One training record per approved episode, in each export format's shape.

``sft`` and ``openai`` are chat records ``{"messages": [system, user,
assistant]}`` (TRL's SFTTrainer, Axolotl's ``chat_template`` and OpenAI's chat
fine-tuning all read it). ``dpo`` is TRL's conversational preference record
``{"prompt", "chosen", "rejected"}``; ``openai-dpo`` is OpenAI's preference
record ``{"input", "preferred_output", "non_preferred_output"}``.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from memory.episode import Attempt, Episode, Outcome

ExportFormat = Literal["sft", "dpo", "openai", "openai-dpo"]
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
PREFERENCE_FORMATS: frozenset[ExportFormat] = frozenset({"dpo", "openai-dpo"})

SYSTEM_PROMPT = "You write complete, secure, type-hinted Python. Reply with the code only."

Message = dict[str, str]


def user_message(episode: Episode) -> str:
    """The request as a person would write it: the task, then the stub to complete."""
    if episode.stub:
        return f"{episode.task}\n\n```python\n{episode.stub.rstrip()}\n```"
    return episode.task


def rejected_attempt(episode: Episode) -> Attempt | None:
    """The attempt to prefer the final code over, or None when the episode has no pair.

    A pair needs a clean final result that failed none of its examples and tests
    in the sandbox, and another attempt that had a finding at ERROR or above or
    failed an example or test; the latest such attempt is taken (the closest
    negative).
    """
    final_code = episode.final_code.strip()
    if episode.outcome is not Outcome.CLEAN or not final_code:
        return None
    final = next((a for a in reversed(episode.attempts) if a.code.strip() == final_code), None)
    if final is None or final.blocking or final.passed is False:
        return None
    for attempt in reversed(episode.attempts):
        if attempt.code.strip() != final_code and (attempt.blocking or attempt.passed is False):
            return attempt
    return None


def to_record(episode: Episode, fmt: ExportFormat) -> dict[str, Any] | None:
    """The record for ``episode`` in ``fmt``, or None when it has none (skipped)."""
    if not episode.final_code.strip():
        return None
    prompt: list[Message] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_message(episode)},
    ]
    chosen: list[Message] = [{"role": "assistant", "content": episode.final_code}]
    if fmt in ("sft", "openai"):
        return {"messages": prompt + chosen}
    rejected = rejected_attempt(episode)
    if rejected is None:
        return None
    other: list[Message] = [{"role": "assistant", "content": rejected.code}]
    if fmt == "dpo":
        return {"prompt": prompt, "chosen": chosen, "rejected": other}
    return {
        "input": {"messages": prompt},
        "preferred_output": chosen,
        "non_preferred_output": other,
    }
