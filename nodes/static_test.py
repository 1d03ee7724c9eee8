"""The static_test node: judge every new candidate with ruff, pyright, the security verifier
and the completeness checker. Nothing is executed here."""

from __future__ import annotations

from collections import Counter
from typing import Any

from langgraph.runtime import Runtime

from analysis.security import Policy
from analysis.static import run_static_tests_many
from nodes.context import RunContext
from nodes.state import Candidate, Judged, RunState


def static_test(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Judge the cycle's candidates that have no static judgement yet (pyright once for all)."""
    candidates = list(state.get("candidates") or [])
    if not candidates:
        raise RuntimeError("static_test reached with no candidate to judge")
    ctx = runtime.context
    pending = [i for i, c in enumerate(candidates) if c["judged"] is None]
    cycle = candidates[0]["cycle"]
    ctx.progress.node_started("static test", cycle)
    reports = run_static_tests_many(
        [candidates[i]["code"] for i in pending],
        tools=ctx.settings.tools,
        stubs=[state.get("stub")] * len(pending),
        stopped_on_max_tokens=[candidates[i]["stop_reason"] == "max_tokens" for i in pending],
        policy=Policy.from_settings(ctx.settings.sabs),
    )
    judged: list[Candidate] = list(candidates)
    for index, report in zip(pending, reports, strict=True):
        judged[index] = Candidate(
            **{
                **candidates[index],
                "judged": Judged(
                    findings=[f.to_dict() for f in report.findings],
                    completeness=report.completeness,
                    clean=report.clean,
                    tool_seconds=dict(report.seconds),
                ),
            }
        )
        per_tool = Counter(f.tool for f in report.findings)
        ctx.progress.findings(
            cycle, dict(per_tool), clean=report.clean, completeness=report.completeness
        )
    return {"candidates": judged}
