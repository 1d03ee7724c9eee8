"""What a finished (or paused) run returns: its code, findings and statistics.

A cycle whose code stopped on the token limit (``--max-tokens``) is named in
the report even when a later cycle's code is the one returned: a repair that
closed the code may only have shortened it. The report then suggests a limit
to try: twice the largest limit that cut a cycle. Nobody knows how long the
code that was never written would have been, so the suggestion is a step, not
a measurement; when the longest prompt of the run and that many tokens would
not fit the context (``--n-ctx``), it suggests a context too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.command import EXIT_CLEAN, EXIT_NOT_CLEAN
from verify.checks import judged_own

#: Suggested contexts are rounded up to a multiple of this many tokens.
CONTEXT_STEP = 1024


@dataclass(frozen=True)
class CutOff:
    """The cycles whose code stopped on the token limit, and the limit worth trying instead."""

    cycles: tuple[int, ...]  # the cycles whose chosen code stopped on the limit, oldest first
    limit: int  # the largest token limit that cut one of them
    returned: bool  # the returned code is one of them (likely unfinished, whatever its score)
    suggested_max_tokens: int  # twice ``limit``, at most the largest limit the settings allow
    suggested_n_ctx: int | None = None  # a context that fits the longest prompt and the above

    @property
    def advice(self) -> str:
        """The command-line options to try, e.g. ``--max-tokens 512 --n-ctx 5120``."""
        if self.suggested_max_tokens <= self.limit:
            return ""
        advice = f"--max-tokens {self.suggested_max_tokens}"
        return advice + (f" --n-ctx {self.suggested_n_ctx}" if self.suggested_n_ctx else "")

    def to_dict(self) -> dict[str, Any]:
        """The ``cut_off`` object of the ``--json`` document."""
        return {
            "cycles": list(self.cycles),
            "limit": self.limit,
            "returned": self.returned,
            "suggested_max_tokens": self.suggested_max_tokens,
            "suggested_n_ctx": self.suggested_n_ctx,
        }


def find_cut_off(
    attempts: Sequence[Mapping[str, Any]], settings: Mapping[str, Any], returned_cycle: int
) -> CutOff | None:
    """The attempts whose code stopped on ``max_tokens`` (``None`` when none did).

    A cut attempt generated exactly its limit: the run's ``decoding.max_tokens``,
    or the tokens its generation reports when more (a resume with a larger
    ``--max-tokens``); ``settings`` is the run's ``Settings.model_dump()``.
    """
    cut = [a for a in attempts if a.get("stop_reason") == "max_tokens"]
    if not cut:
        return None
    started_with = int((settings.get("decoding") or {}).get("max_tokens") or 0)
    limit = max(max(_stat(a, "generated_tokens") for a in cut), started_with)
    suggested = min(2 * limit, _largest_max_tokens())
    prompt = max(_stat(a, "prompt_tokens") for a in attempts)
    n_ctx = int((settings.get("model") or {}).get("n_ctx") or 0)
    needed = prompt + suggested
    context = -(-needed // CONTEXT_STEP) * CONTEXT_STEP  # rounded up
    cycles = tuple(int(a["cycle"]) for a in cut)
    return CutOff(
        cycles=cycles,
        limit=limit,
        returned=returned_cycle in cycles,
        suggested_max_tokens=suggested,
        suggested_n_ctx=context if n_ctx and needed > n_ctx else None,
    )


def _stat(attempt: Mapping[str, Any], key: str) -> int:
    return int((attempt.get("decoding_stats") or {}).get(key) or 0)


def _largest_max_tokens() -> int:
    """The largest ``decoding.max_tokens`` the settings accept."""
    from config.settings import DecodingSettings

    return int(DecodingSettings.model_json_schema()["properties"]["max_tokens"]["maximum"])


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
    completeness: float  # of the returned code (cycle ``cycle``)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    reflect_seconds: list[float] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)  # of the returned attempt
    cycle: int = 0  # the cycle whose code is returned
    cut_off: CutOff | None = None  # the cycles cut at the token limit, returned or not
    refusal: str = ""  # status "refused": the rule and the construct no safe beam avoided

    @property
    def passed(self) -> bool | None:
        """Whether every example and test passed (None when the sandbox could judge none)."""
        own = judged_own(self.checks)
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
            "refusal": self.refusal or None,
            "code": self.code,
            "findings": self.findings,
            "completeness": self.completeness,
            "passed": self.passed,
            "checks": self.checks,
            "cycles": self.cycles,
            "cycle": self.cycle,
            "cut_off": self.cut_off.to_dict() if self.cut_off is not None else None,
            "seconds": round(self.seconds, 3),
            "episode_id": self.episode_id,
            "stats": [
                {
                    "cycle": a["cycle"],
                    "stop_reason": a.get("stop_reason"),
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
    cycle = int(best["cycle"]) if best else 0
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
        cycle=cycle,
        cut_off=find_cut_off(attempts, values.get("settings") or {}, cycle),
        refusal=str((best.get("sabs_stats") or {}).get("refusal") or "") if best else "",
    )
