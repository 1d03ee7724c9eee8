"""Turn a task (and optional stub, examples and a revision) into a model prompt.

Two styles, one contract: the generated code is ``Prompt.code_prefix +
completion``, and a stub's imports, signature and docstring are kept exactly.

* **chat** (any GGUF with a chat template; the default): the model's own
  template renders a conversation. Retrieved past episodes are earlier turns
  (task, then its code), a revision is the model's previous answer followed by
  what the static tests and the review found, and the reply is primed with a
  ``python`` code block and the stub. The code ends at the block's closing fence.
* **completion** (base models): example solutions, the task as a comment,
  then code for the model to continue (the stub, or ``def``).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from config.errors import UsageError
from decoding.chat import ChatTemplate, Message

if TYPE_CHECKING:
    from decoding.generator import Generator

#: Where a chat reply's code block ends.
CLOSING_FENCE = "\n```"


@dataclass(frozen=True)
class Prompt:
    """A prompt, the code that the completion continues, and where the completion ends."""

    text: str  # everything the model sees
    code_prefix: str  # the part of ``text`` that belongs to the final code
    special_tokens: bool = False  # the text holds special-token markup (a rendered chat template)
    stop_sequences: tuple[str, ...] | None = None  # None: the decoding settings' own
    stop_at_top_level: bool | None = None  # None: the decoding settings' own

    def code_from(self, completion: str) -> str:
        """The whole code: the prefix plus the model's completion, without demo code after it."""
        code = self.code_prefix + completion
        return definitions_only(code) if self.special_tokens else code


@dataclass(frozen=True)
class Revision:
    """What the next cycle is told about the last one."""

    code: str  # the previous attempt
    findings: str  # what the static tests found, one item per line ("" if nothing)
    review: str  # the model's review, one defect per line ("" if none was asked or found)

    def problems(self) -> str:
        """Findings and review defects as one list, one item per line."""
        review = "".join(f"review: {line}\n" for line in self.review.splitlines() if line.strip())
        findings = "".join(f"{line}\n" for line in self.findings.splitlines() if line.strip())
        return (findings + review).rstrip("\n")


def greedy_reply(generator: Generator, prompt: Prompt, max_tokens: int) -> str:
    """The model's greedy reply to ``prompt`` (one beam, no branching): a turn of words or
    asserts, not of code to search over."""
    return generator.generate(
        prompt.text,
        max_tokens=max_tokens,
        special_tokens=prompt.special_tokens,
        stop_sequences=prompt.stop_sequences,
        stop_at_top_level=prompt.stop_at_top_level,
        greedy=True,
    ).text


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
        line = exc.lineno
        if line is None and "\0" in stub:  # the parser names no line for a NUL byte
            line = stub.count("\n", 0, stub.index("\0")) + 1
        where = f"line {line}: " if line is not None else ""
        raise UsageError(f"{source} is not valid Python: {where}{exc.msg}") from None
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
    revision: Revision | None = None,
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
    problems = revision.problems() if revision is not None else ""
    if problems:
        current += "# A previous attempt had these problems; this version fixes them:\n"
        current += "".join(f"#   {line}\n" for line in problems.splitlines())
    code_prefix = stub if stub is not None else "def"
    return Prompt(text="\n".join(parts) + current + code_prefix, code_prefix=code_prefix)


def _task_comment(task: str) -> str:
    lines = task.strip().splitlines() or [""]
    return "".join(
        f"# Task: {line}\n" if i == 0 else f"#       {line}\n" for i, line in enumerate(lines)
    )


SYSTEM_MESSAGE = (
    "You write correct, complete, typed Python 3 code with docstrings and no placeholders. "
    "Answer with one Python code block."
)


def build_chat_prompt(
    template: ChatTemplate,
    task: str,
    *,
    stub: str | None = None,
    examples: Sequence[tuple[str, str]] = (),
    revision: Revision | None = None,
) -> Prompt:
    """Render the model's chat template for the task; the reply is primed with a code block.

    ``examples`` become earlier turns; a ``revision`` shows the previous answer and its
    problems and asks for the whole corrected code. The assistant's turn starts with a
    python fence and the stub, so the stub is kept exactly.
    """
    messages: list[Message] = [{"role": "system", "content": SYSTEM_MESSAGE}]
    for shot_task, shot_code in examples:
        messages += [
            {"role": "user", "content": shot_task},
            {"role": "assistant", "content": _code_block(shot_code)},
        ]
    request = task
    if stub is not None:
        request += "\n\nComplete this code:\n" + _code_block(stub)
    messages.append({"role": "user", "content": request})
    if revision is not None:
        problems = revision.problems() or "no problems were reported"
        messages += [
            {"role": "assistant", "content": _code_block(revision.code)},
            {
                "role": "user",
                "content": "Your code has these problems:\n"
                + "".join(f"- {line}\n" for line in problems.splitlines())
                + "\nWrite the whole corrected code.",
            },
        ]
    code_prefix = stub if stub is not None else ""
    return Prompt(
        text=template.render(messages) + "```python\n" + code_prefix,
        code_prefix=code_prefix,
        special_tokens=True,
        stop_sequences=(CLOSING_FENCE,),
        stop_at_top_level=False,
    )


def prompt_for(
    template: ChatTemplate | None,
    task: str,
    *,
    stub: str | None = None,
    examples: Sequence[tuple[str, str]] = (),
    revision: Revision | None = None,
) -> Prompt:
    """The chat prompt if there is a ``template``, else the completion prompt."""
    if template is not None:
        return build_chat_prompt(template, task, stub=stub, examples=examples, revision=revision)
    return build_prompt(task, stub=stub, examples=examples, revision=revision)


def choose_template(
    setting: bool | str, template: ChatTemplate | None, model_name: str
) -> ChatTemplate | None:
    """The chat template to prompt with under ``model.use_chat_template``, or ``None`` for
    completion prompts; ``UsageError`` if chat is required of a model without a template."""
    if setting is False:
        return None
    if template is None and setting is True:
        raise UsageError(
            f"the model {model_name} has no chat template; set model.use_chat_template: "
            "auto or false (completion prompts work with any model)"
        )
    return template


def _code_block(code: str) -> str:
    return "```python\n" + code.rstrip("\n") + "\n```"


def definitions_only(code: str) -> str:
    """``code`` without the demo that may follow its definitions (calls, prints, asserts,
    an ``if __name__ == "__main__"`` block), and without trailing comments; code that
    does not parse is returned as it is."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return code
    last_definition = max(
        (i for i, node in enumerate(body) if isinstance(node, _DEFINITIONS)), default=None
    )
    if last_definition is None:
        return code
    demo = [node for node in body[last_definition + 1 :] if not isinstance(node, _KEPT)]
    if not demo:
        return code.rstrip() + "\n"
    kept = code.splitlines(keepends=True)[: demo[0].lineno - 1]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith("#")):
        kept.pop()
    return "".join(kept).rstrip() + "\n"


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_KEPT = (*_DEFINITIONS, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
