"""The approve node: the human gate before another cycle.

When ``cycles.require_human_approval`` is set the graph pauses here with
LangGraph's ``interrupt()``; the CLI shows the findings and resumes with
``{"action": "continue" | "stop", "feedback": "..."}``. Otherwise it passes.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from nodes.context import RunContext
from nodes.state import RunState


def approve(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Ask a person whether to run another cycle (only if the settings require it)."""
    if not runtime.context.settings.cycles.require_human_approval:
        return {}
    attempts = state.get("attempts") or []
    answer = interrupt(
        {
            "cycle": len(attempts),
            "max_cycles": state["max_cycles"],
            "findings": attempts[-1]["findings"] if attempts else [],
            "feedback": state.get("feedback", ""),
        }
    )
    action, extra = parse_answer(answer)
    if action == "stop":
        return {"status": "stopped"}
    feedback = state.get("feedback", "")
    if extra:
        feedback = f"{feedback}\n{extra}" if feedback else extra
    return {"feedback": feedback}


def parse_answer(answer: Any) -> tuple[str, str]:
    """Normalise a resume value to ``(action, extra_feedback)``; unknown shapes are an error."""
    if isinstance(answer, dict):
        action = str(answer.get("action", "")).lower()
        extra = str(answer.get("feedback", "") or "").strip()
    elif isinstance(answer, str):
        action, extra = answer.lower(), ""
    else:
        raise ValueError(f"the human gate expects a dict or a string, got {type(answer).__name__}")
    if action not in ("continue", "stop"):
        raise ValueError(f"the human gate expects action 'continue' or 'stop', got {action!r}")
    return action, extra
