"""Turn a task (and optional stub, examples and feedback) into a model prompt.

The default model is a base model, so prompts are completion-style: a
commented header followed by code for the model to continue. With a stub the
model completes the stub; without one it continues ``def ``. The generated
code is ``Prompt.code_prefix + completion``.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from config.errors import UsageError


@dataclass(frozen=True)
class Prompt:
    """A completion prompt and the code that the completion continues."""

    text: str  # everything the model sees
    code_prefix: str  # the part of ``text`` that belongs to the final code

    def code_from(self, completion: str) -> str:
        """The whole code: the prefix plus the model's completion."""
        return self.code_prefix + completion


def validate_task(task: str) -> str:
    """Return the task stripped, or raise ``UsageError`` if it is empty or not valid text."""
    try:
        task.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError("the task is not valid UTF-8 text") from None
    stripped = task.strip()
    if not stripped:
        raise UsageError('the task is empty: describe the function to write, e.g. "Write a function that ..."')
    return stripped


def validate_stub(stub: str, *, source: str = "stub") -> str:
    """Return the stub if it is Python that parses, else raise ``UsageError``."""
    if not stub.strip():
        raise UsageError(f"{source} is empty")
    try:
        ast.parse(stub)
    except SyntaxError as exc:
        raise UsageError(f"{source} is not valid Python: line {exc.lineno}: {exc.msg}") from None
    return stub if stub.endswith("\n") else stub + "\n"


def build_prompt(
    task: str,
    *,
    stub: str | None = None,
    examples: Sequence[str] = (),
    feedback: str = "",
) -> Prompt:
    """Build the completion prompt for one generation."""
    lines: list[str] = []
    for example in examples:
        lines.append("# An accepted solution to a similar task:")
        lines.append(example.rstrip())
        lines.append("")
    lines.append("# Python 3. A complete, typed implementation with no placeholders.")
    lines.extend(f"# Task: {line}" if i == 0 else f"#       {line}" for i, line in enumerate(task.splitlines()))
    if feedback:
        lines.append("# A previous attempt had these problems; this version fixes them:")
        lines.extend(f"#   {line}" for line in feedback.splitlines())
    header = "\n".join(lines) + "\n\n"
    code_prefix = stub if stub is not None else "def "
    return Prompt(text=header + code_prefix, code_prefix=code_prefix)
