"""The static_test node: judge every new candidate with ruff, pyright, the security verifier
and the completeness checker. Nothing is executed here.

Code is clean when no finding is an ERROR and it is complete enough
(``analysis.static``), and, in the loop, when no security finding at WARNING
is left that the task did not ask for: SABS rewinds only ERROR and above while
decoding, so the weaker ones (a request without a timeout, an XML parser, a
weak hash) go to the next cycle, where the model sees the whole function and
the safe spelling (``nodes.reflect``). A task that names the construct
(``md5`` in "return its md5 hash") asked for it: its finding stays a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from analysis.findings import Finding, Severity
from analysis.security import Policy
from analysis.security.alternatives import name_at
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
        code = candidates[index]["code"]
        unasked = unasked_security_warnings(report.findings, code, state["task"])
        judged[index] = Candidate(
            **{
                **candidates[index],
                "judged": Judged(
                    findings=[f.to_dict() for f in report.findings],
                    completeness=report.completeness,
                    clean=report.clean and not unasked,
                    tool_seconds=dict(report.seconds),
                ),
            }
        )
        per_tool = Counter(f.tool for f in report.findings)
        ctx.progress.findings(
            cycle, dict(per_tool), clean=report.clean and not unasked, completeness=report.completeness
        )
    return {"candidates": judged}


def unasked_security_warnings(
    findings: Sequence[Finding], code: str, task: str
) -> list[Finding]:
    """The security findings at WARNING whose construct the task does not name: the last part
    of the flagged name (three characters or more) is no word of ``task``."""
    lines = code.splitlines()
    words = {word.lower() for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", task)}
    unasked = []
    for finding in findings:
        if finding.tool != "security" or finding.severity != Severity.WARNING:
            continue
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        name = name_at(line, finding.col) or ""
        if len(name) < 3 or name.lower() not in words:
            unasked.append(finding)
    return unasked
