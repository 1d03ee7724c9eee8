"""The tasks a command runs: one from the command line, or a JSONL task file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import UsageError
from orchestrator.command import read_text_file


@dataclass
class TaskSpec:
    """One task to run: its text, optional stub and the user's checks (``Suite.to_dict()``)."""

    task: str
    stub: str | None = None
    label: str = ""
    suite: dict[str, Any] | None = None


def read_tasks(path: Path) -> list[TaskSpec]:
    """Parse a JSONL task file: one ``{"task": ..., "stub": ..., "tests": ...}`` object per line
    (``tests``: the source of a test file, as ``--tests`` takes it)."""
    from nodes.prompting import validate_stub, validate_task
    from verify.user_tests import load_tests

    specs: list[TaskSpec] = []
    for number, line in enumerate(read_text_file(path, what="task file").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("task"), str):
            raise UsageError(f'{path}:{number}: each line must be an object with a "task" string')
        stub = item.get("stub")
        if stub is not None and not isinstance(stub, str):
            raise UsageError(f'{path}:{number}: "stub" must be a string')
        tests = item.get("tests")
        if tests is not None and not isinstance(tests, str):
            raise UsageError(f'{path}:{number}: "tests" must be a string of Python')
        specs.append(
            TaskSpec(
                task=validate_task(item["task"]),
                stub=validate_stub(stub, source=f"{path}:{number} stub") if stub else None,
                label=str(item.get("id", number)),
                suite=load_tests(tests, name=f"{path}:{number} tests").to_dict() if tests else None,
            )
        )
    if not specs:
        raise UsageError(f"{path} holds no tasks")
    return specs
