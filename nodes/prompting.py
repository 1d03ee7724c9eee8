"""Turn a task (and optional stub, examples and feedback) into a model prompt.

The default model is a base model, so prompts are completion-style: example
solutions, then the task as a comment, then code for the model to continue.
With a stub the model completes the stub; without one it continues ``def``
(no trailing space: the tokenizer attaches the space to the name).
The generated code is ``Prompt.code_prefix + completion``.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from config.errors import UsageError
from decoding.generator import ChatTemplate


@dataclass(frozen=True)
class Prompt:
    """A completion prompt and the code that the completion continues."""

    text: str  # everything the model sees
    code_prefix: str  # the part of ``text`` that belongs to the final code
    special_tokens: bool = False  # the text holds special-token markup (a rendered chat template)

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
        raise UsageError(
            'the task is empty: describe the function to write, e.g. "Write a function that ..."'
        )
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


#: Shown to the model before a task without a stub when no past episode is retrieved: a
#: base model continues the pattern it sees, so the example fixes the shape of the answer.
#: A stub fixes the shape itself, and there a small model copies the example's body
#: instead (HumanEval: ``total = 0`` in 14 of 96 first attempts; BENCHMARKS.md).
DEFAULT_EXAMPLE = '''def sum_of_squares(values: list[int]) -> int:
    """Return the sum of the squares of the integers in values."""
    total = 0
    for value in values:
        total += value * value
    return total
'''
DEFAULT_EXAMPLE_TASK = "Write a function that returns the sum of the squares of a list of integers."


def build_prompt(
    task: str,
    *,
    stub: str | None = None,
    examples: Sequence[tuple[str, str]] = (),
    feedback: str = "",
) -> Prompt:
    """Build the completion prompt for one generation.

    ``examples`` are ``(task, code)`` pairs of accepted past solutions; without
    any, and without a stub, one built-in example shows the model the expected shape.
    """
    builtin = [(DEFAULT_EXAMPLE_TASK, DEFAULT_EXAMPLE)] if stub is None else []
    shots = list(examples) or builtin
    parts = ["# Python 3. Complete, typed implementations with docstrings and no placeholders.\n"]
    for shot_task, shot_code in shots:
        parts.append(_task_comment(shot_task) + shot_code.rstrip() + "\n\n")
    current = _task_comment(task)
    if feedback:
        current += "# A previous attempt had these problems; this version fixes them:\n"
        current += "".join(f"#   {line}\n" for line in feedback.splitlines())
    code_prefix = stub if stub is not None else "def"
    return Prompt(text="\n".join(parts) + current + code_prefix, code_prefix=code_prefix)


def _task_comment(task: str) -> str:
    lines = task.strip().splitlines() or [""]
    return "".join(
        f"# Task: {line}\n" if i == 0 else f"#       {line}\n" for i, line in enumerate(lines)
    )


SYSTEM_MESSAGE = (
    "You write complete, typed Python 3 functions with docstrings and no placeholders. "
    "Answer with one Python code block."
)


def build_chat_prompt(
    template: ChatTemplate,
    task: str,
    *,
    stub: str | None = None,
    feedback: str = "",
) -> Prompt:
    """Render the model's chat template for the task; the reply is primed with a code block.

    The assistant's turn starts with a ```python fence and the stub (or ``def``), so the
    completion continues the code exactly as in completion mode.
    """
    request = task
    if stub is not None:
        request += "\n\nComplete this code:\n```python\n" + stub + "```"
    if feedback:
        request += "\n\nA previous attempt had these problems; fix them:\n" + feedback
    messages = [{"role": "system", "content": SYSTEM_MESSAGE}, {"role": "user", "content": request}]
    environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    try:
        rendered = environment.from_string(template.source).render(
            messages=messages,
            add_generation_prompt=True,
            bos_token=template.bos_token,
            eos_token=template.eos_token,
            raise_exception=_raise_template_error,
        )
    except TemplateError as exc:
        raise UsageError(
            f"the model's chat template cannot be rendered ({exc}); set model.use_chat_template: false"
        ) from None
    code_prefix = stub if stub is not None else "def"
    return Prompt(
        text=rendered + "```python\n" + code_prefix, code_prefix=code_prefix, special_tokens=True
    )


def _raise_template_error(message: str) -> None:
    raise TemplateError(message)
