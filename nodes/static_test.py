"""The static_test node: judge the draft with ruff, pyright, the security verifier
and the completeness checker. The code is never executed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from langgraph.runtime import Runtime

from analysis.security import Policy
from analysis.static import run_static_tests
from nodes.context import RunContext
from nodes.state import Attempt, RunState


def static_test(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Turn the current draft into a judged attempt."""
    draft = state.get("draft")
    if draft is None:
        raise RuntimeError("static_test reached with no draft to judge")
    ctx = runtime.context
    ctx.progress.node_started("static test", draft["cycle"])
    report = run_static_tests(
        draft["code"],
        tools=ctx.settings.tools,
        stub=state.get("stub"),
        stopped_on_max_tokens=draft["stop_reason"] == "max_tokens",
        policy=Policy.from_settings(ctx.settings.sabs),
    )
    per_tool = Counter(f.tool for f in report.findings)
    ctx.progress.findings(
        draft["cycle"], dict(per_tool), clean=report.clean, completeness=report.completeness
    )
    attempt = Attempt(
        cycle=draft["cycle"],
        prompt=draft["prompt"],
        code=draft["code"],
        stop_reason=draft["stop_reason"],
        decoding_stats=draft["decoding_stats"],
        sabs_stats=draft["sabs_stats"],
        findings=[f.to_dict() for f in report.findings],
        completeness=report.completeness,
        clean=report.clean,
        tool_seconds=dict(report.seconds),
        generate_seconds=draft["seconds"],
    )
    return {"attempts": [attempt], "draft": None}
