"""The write_tests node: once per run, the model writes a few tests from the task alone.

They are CodeT's tests: a candidate that raises on one of them is sent back
for repair, and candidates are ranked by how they agree on them, but a failed
assert on one is never a verdict (the model's expected value may be wrong).
The function they test is the stub's, or the one the candidates define.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import RunContext
from nodes.prepare import defined_functions
from nodes.state import Candidate, RunState
from nodes.test_writing import model_tests
from verify.checks import Suite
from verify.examples import entry_point


def function_name(stub: str | None, candidates: list[Candidate]) -> str | None:
    """The function the stub asks for, else the one the candidates define first most often."""
    if stub is not None:
        return entry_point(stub)
    firsts = [names[0] for names in (defined_functions(c["code"]) for c in candidates) if names]
    return Counter(firsts).most_common(1)[0][0] if firsts else None


def write_tests(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Add the model's tests to the run's suite (none when no function can be named)."""
    ctx = runtime.context
    candidates = list(state.get("candidates") or [])
    name = function_name(state.get("stub"), candidates)
    update: dict[str, Any] = {"tests_written": True, "more": ""}
    if name is None:
        return update
    cycle = candidates[0]["cycle"] if candidates else len(state.get("attempts") or []) + 1
    ctx.progress.node_started("write tests", cycle)
    written = model_tests(
        ctx.generator, ctx.settings, task=state["task"], stub=state.get("stub"), name=name
    )
    suite = Suite.from_dict(state["suite"]) if state.get("suite") else Suite()
    ctx.progress.note(f"the model wrote {len(written)} test(s) of {name} to rank candidates by")
    return {**update, "suite": (suite + Suite(tuple(written))).to_dict()}
