"""From what a client sends to the task, stub and checks of a run: pure functions of text.

A chat message gives the task in words and, in a Python code block, the stub;
a spec gives all three (``verify.spec``); an MCP call gives them as arguments.
Each refuses what the CLI refuses, with the CLI's one-line ``UsageError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from config.errors import UsageError

#: A fenced block: its info string (``python``, ``py title="x.py"``, ``src/a.py``) and body.
_FENCE = re.compile(r"^(?P<fence>```|~~~)[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                    re.MULTILINE | re.DOTALL)  # fmt: skip
_PYTHON_NAMES = frozenset({"python", "py", "python3"})
#: The task when a message is nothing but a code block.
COMPLETE_THE_CODE = "Complete the function."


@dataclass(frozen=True)
class Task:
    """The task in words, the stub to complete and the checks (``Suite.to_dict()``)."""

    task: str
    stub: str | None = None
    suite: dict[str, Any] | None = None


def python_block(text: str) -> tuple[str, str] | None:
    """The first fenced Python code block of ``text`` and the text without it, or ``None``.

    A block is Python when its info string names the language (``python``,
    ``py``, ``python3``) or a ``.py`` file.
    """
    for match in _FENCE.finditer(text):
        words = match["info"].strip().split()
        if words and (
            words[0].lower() in _PYTHON_NAMES or any(w.lower().endswith(".py") for w in words)
        ):
            rest = (text[: match.start()] + text[match.end() :]).strip()
            return match["body"], rest
    return None


def from_message(text: str) -> Task:
    """The task of a chat message: its words, and its first Python code block as the stub."""
    from nodes.prompting import validate_stub, validate_task

    found = python_block(text)
    if found is None:
        return Task(validate_task(text))
    block, words = found
    stub = validate_stub(block, source="the message's Python code block")
    return Task(validate_task(words or COMPLETE_THE_CODE), stub)


def from_arguments(task: str, stub: str | None = None, tests: str | None = None) -> Task:
    """The task of a tool call: the request, an optional stub and optional tests (asserts or
    ``test_*`` functions, as ``--tests`` takes them)."""
    from nodes.prompting import validate_stub, validate_task
    from verify.user_tests import load_tests

    suite = load_tests(tests, name="tests").to_dict() if tests and tests.strip() else None
    return Task(
        validate_task(task),
        validate_stub(stub, source="stub") if stub and stub.strip() else None,
        suite,
    )


def from_spec(spec: dict[str, Any], *, task: str | None = None, tests: str | None = None) -> Task:
    """The task of a spec object (``verify.spec``: function name, parameters, return type,
    constraints, examples): its stub, its request unless ``task`` is given, and its examples
    as checks, with ``tests`` added."""
    import json

    from nodes.prompting import validate_task
    from verify.spec import load_spec
    from verify.user_tests import load_tests

    loaded = load_spec(json.dumps(spec), name="spec")
    suite = loaded.suite()
    if tests and tests.strip():
        suite = suite + load_tests(tests, name="tests")
    return Task(
        validate_task(task or loaded.task()),
        loaded.stub(),
        suite.to_dict() if suite.checks else None,
    )


def message_text(content: str | list[Any] | None) -> str:
    """The text of a chat message's content: a string, or the text of its text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = []
    for part in content:
        kind = getattr(part, "type", None) if not isinstance(part, dict) else part.get("type")
        text = getattr(part, "text", None) if not isinstance(part, dict) else part.get("text")
        if kind != "text" or not isinstance(text, str):
            raise UsageError("only text content is supported in messages")
        texts.append(text)
    return "\n".join(texts)
