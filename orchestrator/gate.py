"""The human gate: after a cycle with findings, ask the person whether to go on.

On a terminal the person sees the findings and answers continue, stop or
feedback; ``--yes`` answers continue; without a terminal the run follows
``cycles.unattended_approval``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from orchestrator.rendering import findings_table, stderr_console

if TYPE_CHECKING:
    from nodes.context import RunContext
    from orchestrator.command import CommandContext


def ask_gate(
    question: dict[str, Any], run_ctx: RunContext, ctx: CommandContext, *, yes: bool
) -> dict[str, str]:
    """Ask the person at the terminal whether to run another cycle; follow the policy otherwise."""
    from rich.prompt import Prompt

    from analysis.findings import Finding

    cycle, limit = question.get("cycle", "?"), question.get("max_cycles", "?")
    if yes:
        run_ctx.progress.note(f"human gate after cycle {cycle}/{limit}: continuing (--yes)")
        return {"action": "continue"}
    if not sys.stdin.isatty():
        policy = run_ctx.settings.cycles.unattended_approval
        run_ctx.progress.note(
            f"human gate after cycle {cycle}/{limit}: no terminal to ask, following "
            f"cycles.unattended_approval = {policy} (pass --yes to continue)"
        )
        return {"action": policy}
    console = stderr_console()
    findings = [Finding.from_dict(f) for f in question.get("findings", [])]
    console.print(findings_table(findings, title=f"findings after cycle {cycle}/{limit}"))
    choice = Prompt.ask(
        "run another cycle?",
        choices=["continue", "stop", "feedback"],
        default="continue",
        console=console,
    )
    if choice == "feedback":
        text = Prompt.ask("your feedback for the next cycle", console=console)
        return {"action": "continue", "feedback": text}
    return {"action": choice}
