"""The reflect node: turn the last attempt's failed checks, findings and a review into the
next cycle's input.

``build_feedback`` is a plain function: check results and findings in,
concrete evidence out: the call, what it returned and what was expected, or
the exception and its line, then which line breaks which rule. A model-written
test counts as evidence only when the task has no check of its own and the
code crashed on it (``nodes.ranking.crashes``): its expected value may be
wrong, an exception on a valid call is not. When ``cycles.max_reflect``
allows and no check failed, the node also asks the model to review its code
(``nodes.review``): the task, the code and the findings go in, concrete
defects or "no defects" come out. A failed check is better evidence than a
review, and cheaper: then none is asked for.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.runtime import Runtime

from analysis.findings import Finding, Severity
from analysis.security.alternatives import alternative_at, alternative_for
from nodes.context import RunContext
from nodes.prompting import Revision
from nodes.ranking import CheckResult, crashes
from nodes.state import RunState
from verify.checks import UNJUDGED, VERDICT_ORIGINS

MAX_FEEDBACK_ITEMS = 8
MAX_CHECK_ITEMS = 4

#: What to do about a rule, where the message alone does not say it.
ADVICE: dict[str, str] = {
    "invalid-syntax": "write syntactically complete Python",
    "F821": "define or import every name you use",
    "F401": "remove the unused import",
    "F841": "use or remove the unused variable",
    "CP004": "write a shorter, general solution (a loop or a formula, not one case per value)",
    "CP105": "use the parameters to compute the result",
}


def check_evidence(results: Sequence[CheckResult], code: str = "") -> list[str]:
    """What the failed checks showed, the task's own first: one line each, a few at most,
    quoting the line of ``code`` that raised."""
    own = [
        r for r in results if r.origin in VERDICT_ORIGINS and r.outcome not in ("passed", UNJUDGED)
    ]
    crashed = crashes(results, code)
    items = [r.evidence(code) for r in own[:MAX_CHECK_ITEMS]]
    items += [f"a test: {r.evidence(code)}" for r in crashed[:2]]
    hidden = len(own) - min(len(own), MAX_CHECK_ITEMS)
    if hidden:
        items.append(f"and {hidden} more failed example(s) or test(s)")
    return items


def build_feedback(
    findings: Sequence[Finding], *, code: str, checks: Sequence[CheckResult] = ()
) -> str:
    """Concrete evidence: failed checks first, then line-referenced instructions for the
    findings at WARNING or above, worst first."""
    lines = code.splitlines()
    relevant = sorted(
        (f for f in findings if f.severity >= Severity.WARNING),
        key=lambda f: (-f.severity, f.line, f.col),
    )
    evidence = check_evidence(checks, code)
    items: list[str] = []
    seen: set[tuple[int, str]] = set()
    for finding in relevant:
        message = finding.message.strip().splitlines()[0] if finding.message.strip() else ""
        if (finding.line, message) in seen:
            continue  # ruff and pyright often say the same thing about one line
        seen.add((finding.line, message))
        if len(evidence) + len(items) >= MAX_FEEDBACK_ITEMS:
            break
        where = f"line {finding.line}" if finding.line > 0 else "the code"
        source = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
        quoted = f" (`{source[:60]}`)" if source else ""
        advice = ADVICE.get(finding.rule) or _safe_spelling(finding, lines)
        fix = f"; {advice}" if advice else ""
        items.append(f"{where}{quoted}: {finding.tool} {finding.rule}: {message}{fix}")
    hidden = len({(f.line, f.message) for f in relevant}) - len(items)
    if hidden > 0:
        items.append(f"and {hidden} more finding(s) of lower priority")
    return "\n".join(evidence + items)


def _safe_spelling(finding: Finding, lines: Sequence[str]) -> str:
    """What to write instead of the construct a security finding flags ("" if unknown)."""
    if finding.tool != "security" or not 0 < finding.line <= len(lines):
        return ""
    entry = alternative_at(lines[finding.line - 1], finding.col, finding.rule)
    return f"write instead: {entry.safe}" if entry is not None else ""


def security_evidence(attempt: Mapping[str, Any]) -> list[str]:
    """What the next cycle must know of the unsafe constructs SABS kept out of the attempt
    while decoding, each with the safe way to write it: the code was cut before one
    (``no_safe_beam``), or rewritten without it (it may no longer do the job)."""
    if attempt.get("stop_reason") == "no_safe_beam":
        refusal = str((attempt.get("sabs_stats") or {}).get("refusal") or "an unsafe construct")
        return [f"the code stopped before an unsafe statement ({refusal}){_safe_way(refusal)}"]
    steered = (attempt.get("decoding_stats") or {}).get("steered") or []
    return [
        f"`{kept_out.partition(' ')[2]}` was kept out as unsafe ({kept_out.partition(' ')[0]})"
        f"{_safe_way(kept_out)}"
        for kept_out in steered
    ]


def _safe_way(reason: str) -> str:
    """ "; write it the safe way: ..." for a "rule construct" reason ("" when none is known)."""
    rule, _, construct = reason.partition(" ")
    entry = alternative_for(rule, construct.split(" ", 1)[0].rsplit(".", 1)[-1] or None)
    return f"; write it the safe way: {entry.safe}" if entry is not None else ""


def reflect(state: RunState, runtime: Runtime[RunContext]) -> dict[str, object]:
    """Record feedback and, within ``max_reflect`` cycles, the model's review for the next cycle."""
    attempts = state.get("attempts") or []
    if not attempts:
        raise RuntimeError("reflect reached with no attempt to reflect on")
    start = time.perf_counter()
    last = attempts[-1]
    findings = [Finding.from_dict(f) for f in last["findings"]]
    checks = [CheckResult.from_dict(c) for c in last.get("checks") or []]
    feedback = build_feedback(findings, code=last["code"], checks=checks)
    feedback = "\n".join([*security_evidence(last), *([feedback] if feedback else [])])
    ctx = runtime.context
    verdict = ""
    defects = ""
    if len(attempts) <= ctx.settings.cycles.max_reflect and last.get("passed") is not False:
        ctx.progress.node_started("reflect", len(attempts))
        found = ctx.critic(state["task"], last["code"], feedback)
        verdict, defects = found.verdict, found.summary()
    shown = Revision(code=last["code"], findings=feedback, review=defects).problems()
    return {
        "feedback": feedback,
        "review": defects,
        "review_verdicts": [verdict],
        "feedback_history": [shown],
        "reflect_seconds": [time.perf_counter() - start],
    }
