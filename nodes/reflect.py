"""The reflect node: turn the last attempt's findings into feedback for the next cycle.

``build_feedback`` is a plain function: findings in, concrete instructions out
(which line, which rule, what to change). When ``cycles.max_reflect`` allows,
the node also asks the model for a one-line critique of its own code.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from langgraph.runtime import Runtime

from analysis.findings import Finding, Severity
from decoding.generator import Generator
from orchestrator.context import RunContext
from orchestrator.state import RunState

MAX_FEEDBACK_ITEMS = 8

#: What to do about a rule, where the message alone does not say it.
ADVICE: dict[str, str] = {
    "invalid-syntax": "write syntactically complete Python",
    "F821": "define or import every name you use",
    "F401": "remove the unused import",
    "F841": "use or remove the unused variable",
    "CP004": "write a shorter, general solution (a loop or a formula, not one case per value)",
    "CP105": "use the parameters to compute the result",
}


def build_feedback(findings: Sequence[Finding], *, code: str) -> str:
    """Concrete, line-referenced instructions for the findings at WARNING or above, worst first."""
    lines = code.splitlines()
    relevant = sorted(
        (f for f in findings if f.severity >= Severity.WARNING),
        key=lambda f: (-f.severity, f.line, f.col),
    )
    items: list[str] = []
    seen: set[tuple[int, str]] = set()
    for finding in relevant:
        message = finding.message.strip().splitlines()[0] if finding.message.strip() else ""
        if (finding.line, message) in seen:
            continue  # ruff and pyright often say the same thing about one line
        seen.add((finding.line, message))
        if len(items) == MAX_FEEDBACK_ITEMS:
            break
        where = f"line {finding.line}" if finding.line > 0 else "the code"
        source = lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""
        quoted = f" (`{source[:60]}`)" if source else ""
        advice = ADVICE.get(finding.rule)
        fix = f"; {advice}" if advice else ""
        items.append(f"{where}{quoted}: {finding.tool} {finding.rule}: {message}{fix}")
    hidden = len({(f.line, f.message) for f in relevant}) - len(items)
    if hidden > 0:
        items.append(f"and {hidden} more finding(s) of lower priority")
    return "\n".join(items)


CRITIQUE_TOKENS = 40
CRITIQUE_CUE = "\n\n# Code review. The most important problem in the code above is that"


def critique(generator: Generator, code: str, feedback: str) -> str:
    """Ask the model for a one-line critique of ``code``; "" if it has nothing to say."""
    prompt = code.rstrip() + "\n"
    if feedback:
        prompt += "".join(f"\n# tool: {line}" for line in feedback.splitlines())
    result = generator.generate(prompt + CRITIQUE_CUE, max_tokens=CRITIQUE_TOKENS)
    first_line = result.text.strip().splitlines()[0].strip() if result.text.strip() else ""
    return f"the most important problem is that {first_line}" if first_line else ""


def reflect(state: RunState, runtime: Runtime[RunContext]) -> dict[str, object]:
    """Record feedback (and, within ``max_reflect``, a model critique) for the next cycle."""
    attempts = state.get("attempts") or []
    if not attempts:
        raise RuntimeError("reflect reached with no attempt to reflect on")
    start = time.perf_counter()
    last = attempts[-1]
    findings = [Finding.from_dict(f) for f in last["findings"]]
    feedback = build_feedback(findings, code=last["code"])
    critique = ""
    ctx = runtime.context
    if len(attempts) <= ctx.settings.cycles.max_reflect:
        ctx.progress.node_started("reflect", len(attempts))
        critique = ctx.critic(last["code"], feedback)
        if critique:
            feedback = f"{feedback}\nreview: {critique}" if feedback else f"review: {critique}"
    return {
        "feedback": feedback,
        "critique": critique,
        "feedback_history": [feedback],
        "reflect_seconds": [time.perf_counter() - start],
    }
