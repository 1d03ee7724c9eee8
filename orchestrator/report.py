"""What a finished (or paused) run returns: its code, findings and statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestrator.command import EXIT_CLEAN, EXIT_NOT_CLEAN


@dataclass
class RunReport:
    """What a finished (or paused) run printed and returned."""

    run_id: str
    status: str
    code: str
    findings: list[dict[str, Any]]
    cycles: int
    seconds: float
    episode_id: str | None
    completeness: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    reflect_seconds: list[float] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)  # of the returned attempt
    cycle: int = 0  # the cycle whose code is returned

    @property
    def passed(self) -> bool | None:
        """Whether every example and test passed (None when none ran)."""
        own = [c for c in self.checks if c.get("origin") != "model"]
        return all(c.get("outcome") == "passed" for c in own) if own else None

    @property
    def exit_code(self) -> int:
        """0 when the run ended clean, 1 otherwise."""
        return EXIT_CLEAN if self.status == "clean" else EXIT_NOT_CLEAN

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "code": self.code,
            "findings": self.findings,
            "completeness": self.completeness,
            "passed": self.passed,
            "checks": self.checks,
            "cycles": self.cycles,
            "cycle": self.cycle,
            "seconds": round(self.seconds, 3),
            "episode_id": self.episode_id,
            "stats": [
                {
                    "cycle": a["cycle"],
                    "decoding": a["decoding_stats"],
                    "sabs": a["sabs_stats"],
                    "tool_seconds": a["tool_seconds"],
                    "generate_seconds": a["generate_seconds"],
                    "verify_seconds": a.get("verify_seconds", 0.0),
                    "candidates": a.get("candidates", 1),
                    "passed": a.get("passed"),
                    "reflect_seconds": (
                        self.reflect_seconds[i] if i < len(self.reflect_seconds) else None
                    ),
                }
                for i, a in enumerate(self.attempts)
            ],
        }


def report_from_state(run_id: str, values: dict[str, Any], seconds: float) -> RunReport:
    """The report of run ``run_id`` from its state values: its result is the attempt the run
    returns (``nodes.ranking.best_attempt``, the last one unless a repair made it worse)."""
    from nodes.ranking import best_attempt

    attempts = list(values.get("attempts") or [])
    best = attempts[best_attempt(attempts)] if attempts else None
    return RunReport(
        run_id=run_id,
        status=str(values.get("status", "running")),
        code=best["code"] if best else "",
        findings=list(best["findings"]) if best else [],
        cycles=len(attempts),
        seconds=seconds,
        episode_id=values.get("episode_id"),
        completeness=float(best["completeness"]) if best else 0.0,
        attempts=attempts,
        reflect_seconds=list(values.get("reflect_seconds") or []),
        checks=list(best.get("checks") or []) if best else [],
        cycle=int(best["cycle"]) if best else 0,
    )
