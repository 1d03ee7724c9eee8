"""The dataset card: a markdown note that says what an exported file holds and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from finetune.records import SYSTEM_PROMPT, ExportFormat


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote and what it left out."""

    format: ExportFormat
    path: Path
    card_path: Path
    written: int  # records in the file
    skipped: int  # approved episodes with no record in this format
    models: tuple[str, ...]  # "name (sha256 prefix)" of the exported episodes
    first_created: datetime | None
    last_created: datetime | None
    exported_at: datetime


SHAPES: dict[ExportFormat, str] = {
    "sft": '`{"messages": [system, user, assistant]}` (TRL SFTTrainer, Axolotl chat_template)',
    "openai": '`{"messages": [system, user, assistant]}` (OpenAI chat fine-tuning)',
    "dpo": '`{"prompt": [system, user], "chosen": [assistant], "rejected": [assistant]}` '
    "(TRL DPOTrainer, conversational)",
    "openai-dpo": '`{"input": {"messages": [system, user]}, "preferred_output": [assistant], '
    '"non_preferred_output": [assistant]}` (OpenAI preference fine-tuning)',
}

SELECTION: dict[ExportFormat, str] = {
    "sft": "every episode a reviewer approved, with non-empty final code",
    "openai": "every episode a reviewer approved, with non-empty final code",
    "dpo": (
        "episodes a reviewer approved whose final code is clean and failed none of its examples "
        "and tests in the sandbox, and that had another attempt with a finding at ERROR or above "
        "or a failed example or test; chosen = the final code, rejected = the latest such attempt"
    ),
    "openai-dpo": (
        "episodes a reviewer approved whose final code is clean and failed none of its examples "
        "and tests in the sandbox, and that had another attempt with a finding at ERROR or above "
        "or a failed example or test; preferred = the final code, non-preferred = the latest "
        "such attempt"
    ),
}


def dataset_card(summary: ExportSummary) -> str:
    """The markdown card for an export."""
    first = summary.first_created.isoformat() if summary.first_created else "-"
    last = summary.last_created.isoformat() if summary.last_created else "-"
    models = "\n".join(f"- {m}" for m in summary.models) or "- (none)"
    return f"""# Dataset card: {summary.path.name}

- Format: `{summary.format}`, one JSON object per line: {SHAPES[summary.format]}
- Records: {summary.written}
- Approved episodes skipped (no record in this format): {summary.skipped}
- Episodes created between: {first} and {last}
- Exported at: {summary.exported_at.isoformat()}

## Selection
Only episodes a person approved in `review` are exported; pending and rejected
episodes never are. This file holds {SELECTION[summary.format]}.

## Models that wrote the code
{models}

## System prompt
> {SYSTEM_PROMPT}

The user message is the task, followed by the stub (in a python code block)
when the run had one. Generated code was checked statically (ruff, pyright,
the security verifier) and never executed.
"""
