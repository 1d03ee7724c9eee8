"""The dataset card: a markdown note that says what an exported file holds and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from finetune.pairs import PairSource
from finetune.records import SYSTEM_PROMPT, ExportFormat


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote and what it left out."""

    format: ExportFormat
    path: Path
    card_path: Path
    written: int  # records in the file
    skipped: int  # approved episodes with no record in this format
    models: tuple[str, ...]  # "name (sha256 prefix)" of the episodes the records draw on
    first_created: datetime | None
    last_created: datetime | None
    exported_at: datetime
    pair_sources: Mapping[PairSource, int] = field(default_factory=dict)  # preference formats


SHAPES: dict[ExportFormat, str] = {
    "sft": '`{"prompt": [system, user], "completion": [assistant]}` (TRL SFTTrainer, '
    "conversational prompt-completion: the loss falls on the code only)",
    "openai": '`{"messages": [system, user, assistant]}` (OpenAI chat fine-tuning; TRL and '
    "Axolotl's `chat_template` read it too, as conversational language modelling)",
    "dpo": '`{"prompt": [system, user], "chosen": [assistant], "rejected": [assistant]}` '
    "(TRL DPOTrainer, conversational)",
    "openai-dpo": '`{"input": {"messages": [system, user]}, "preferred_output": [assistant], '
    '"non_preferred_output": [assistant]}` (OpenAI preference fine-tuning)',
}

_DEMONSTRATIONS = (
    "one record per episode a reviewer approved, with non-empty final code: the request, "
    "then the final code as the assistant's answer"
)
_PAIRS = (
    "preference pairs for one request (the same task text and stub): an approved "
    "episode's final code over the final code of a rejected episode (rejected-episode); "
    "its final code over another attempt of its run that failed a check the final code "
    "passes, a finding at ERROR or above or an example or test (failed-attempt); an "
    "attempt of an approved episode that passed every example and test, with no finding "
    "at ERROR or above, over an attempt that failed one (examples). Each pair appears "
    "once, no code is paired with itself, and pairs that contradict each other are left out"
)

_APPROVED_ONLY = (
    "Only episodes a person approved in `review` are exported; pending and rejected "
    "episodes never are."
)
_JUDGED_ONLY = (
    "Only episodes a person judged in `review` are used: the chosen code always comes "
    "from an approved episode, the rejected code from an approved or a rejected one; "
    "pending episodes never take part."
)

GATE: dict[ExportFormat, str] = {
    "sft": _APPROVED_ONLY,
    "openai": _APPROVED_ONLY,
    "dpo": _JUDGED_ONLY,
    "openai-dpo": _JUDGED_ONLY,
}

SELECTION: dict[ExportFormat, str] = {
    "sft": _DEMONSTRATIONS,
    "openai": _DEMONSTRATIONS,
    "dpo": _PAIRS,
    "openai-dpo": _PAIRS,
}


def dataset_card(summary: ExportSummary) -> str:
    """The markdown card for an export; a field with nothing to say is left out."""
    facts = [
        f"- Format: `{summary.format}`, one JSON object per line: {SHAPES[summary.format]}",
        f"- Records: {summary.written}",
    ]
    if summary.pair_sources:
        counts = ", ".join(f"{source} {n}" for source, n in summary.pair_sources.items() if n)
        facts.append(f"- Pairs by source: {counts}")
    facts.append(f"- Approved episodes skipped (no record in this format): {summary.skipped}")
    created = _created(summary.first_created, summary.last_created)
    if created:
        facts.append(created)
    facts.append(f"- Exported at: {summary.exported_at.isoformat()}")
    sections = [
        f"# Dataset card: {summary.path.name}",
        "\n".join(facts),
        f"## Selection\n{GATE[summary.format]} This file holds {SELECTION[summary.format]}.",
    ]
    if summary.models:
        sections.append(
            "## Models that wrote the code\n" + "\n".join(f"- {m}" for m in summary.models)
        )
    sections += [
        f"## System prompt\n> {SYSTEM_PROMPT}",
        "The user message is the task, followed by the stub (in a python code block)\n"
        "when the run had one. Generated code was checked statically (ruff, pyright,\n"
        "the security verifier) and run only inside the WebAssembly sandbox, against\n"
        "the task's examples and tests; never on the host.",
    ]
    return "\n\n".join(sections) + "\n"


def _created(first: datetime | None, last: datetime | None) -> str:
    """The line that dates the episodes, or "" when there is no date to give."""
    if first is None or last is None:
        return ""
    if first == last:
        return f"- Episodes created: {first.isoformat()}"
    return f"- Episodes created between: {first.isoformat()} and {last.isoformat()}"
