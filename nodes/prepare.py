"""The prepare node: gather the checks a run judges its code by, before the first cycle.

The user's own tests and a spec's examples, which the run starts with, come
first, then the task's examples (doctest lines and ``f(x) == y`` style lines in
the task and the stub's docstring). When the task gives its examples in
prose only, the model writes them as asserts in a separate short turn. With
verification off there is nothing to gather: the user's tests are kept as given.
"""

from __future__ import annotations

import ast
import builtins
import re
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import RunContext
from nodes.state import RunState
from nodes.test_writing import prose_examples
from verify.checks import Suite
from verify.examples import entry_point, extract_examples, mentions_examples

_CALLED = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_BUILTINS = frozenset(dir(builtins))


def defined_functions(code: str) -> list[str]:
    """The functions and classes ``code`` defines at its top level (none if it does not parse)."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name for node in body if isinstance(node, kinds)]


def called_names(text: str) -> list[str]:
    """Names called in ``text`` that are not Python's builtins, in order of first call."""
    return list(dict.fromkeys(n for n in _CALLED.findall(text) if n not in _BUILTINS))


def function_under_test(task: str, stub: str | None) -> tuple[list[str], str | None]:
    """The functions examples may call, and the one the task asks for (``None``: unknown)."""
    if stub is not None:
        return defined_functions(stub), entry_point(stub)
    names = called_names(task)
    return names, names[0] if names else None


def prepare(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """The run's suite: the user's tests and a spec's examples, then the task's examples."""
    ctx = runtime.context
    given = Suite.from_dict(state["suite"]) if state.get("suite") else Suite()
    if ctx.sandbox is None:
        return {"suite": given.to_dict()}
    task, stub = state["task"], state.get("stub")
    functions, name = function_under_test(task, stub)
    examples = extract_examples(task, functions)
    if stub is not None:
        examples += extract_examples(stub, functions)
    if (
        not examples
        and name is not None
        and ctx.settings.verify.prose_examples
        and (mentions_examples(task) or (stub is not None and mentions_examples(stub)))
    ):
        ctx.progress.node_started("examples in prose", 1)
        examples = prose_examples(ctx.generator, ctx.settings, task=task, stub=stub, name=name)
    suite = given + Suite(tuple(examples))  # a spec's examples are also the stub's doctests
    ctx.progress.note(f"checks to run in the sandbox: {_counts(suite)}")
    return {"suite": suite.to_dict()}


_NAMES = {"example": "example(s)", "user": "test(s) of yours", "spec": "example(s) of the spec"}


def _counts(suite: Suite) -> str:
    counts: dict[str, int] = {}
    for check in suite.checks:
        counts[check.origin] = counts.get(check.origin, 0) + 1
    parts = [f"{n} {_NAMES.get(origin, origin)}" for origin, n in counts.items()]
    return ", ".join(parts) or "none given (the model will write tests)"
