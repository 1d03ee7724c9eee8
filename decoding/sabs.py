"""Security-aware beam search (SABS): the controller the search consults at boundaries.

For each live beam the search asks :meth:`SecurityController.check`. The
controller decides whether to analyse at all (budget, tokens since the last
check, syntactic boundary), runs the incremental security verifier on the
beam's code, and charges the beam only for issues it has not been charged
for before. A CRITICAL issue fails the beam when hard fail is on. Every
analysed check is appended to a JSONL decision log when one is configured.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analysis.findings import Severity
from analysis.security import (
    DEFAULT_POLICY,
    INVALID_PENALTY,
    SEVERITY_WEIGHTS,
    ParseState,
    Policy,
    SecurityCache,
    SecurityIssue,
    analyze_incremental,
    extract_code,
)
from config.errors import UserError
from config.settings import SabsSettings

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 240
_INVALID_KEY: tuple[str, int, int] = ("PARSE_INVALID", 0, 0)
IssueKey = tuple[str, int, int]


class SabsLogError(UserError):
    """The SABS decision log cannot be written."""


@dataclass(frozen=True)
class SABSConfig:
    """How SABS judges beams; defaults follow the ``sabs`` settings section."""

    lambda_weight: float = 0.5
    hard_fail_on_critical: bool = True
    max_verifier_calls: int = 50
    min_tokens_between_checks: int = 8
    cache_enabled: bool = True
    log_path: Path | None = None
    max_repairs: int = 3
    policy: Policy = DEFAULT_POLICY

    def __post_init__(self) -> None:
        if self.lambda_weight < 0 or self.max_verifier_calls < 0 or self.max_repairs < 0:
            raise ValueError("SABSConfig weights and budgets must not be negative")
        if self.min_tokens_between_checks < 1:
            raise ValueError("SABSConfig.min_tokens_between_checks must be at least 1")

    @classmethod
    def from_settings(cls, settings: SabsSettings) -> SABSConfig:
        """The configuration (and security policy) described by the ``sabs`` settings."""
        return cls(
            lambda_weight=settings.lambda_weight,
            hard_fail_on_critical=settings.hard_fail_on_critical,
            max_verifier_calls=settings.max_verifier_calls,
            min_tokens_between_checks=settings.min_tokens_between_checks,
            cache_enabled=settings.cache_enabled,
            log_path=Path(settings.log_path) if settings.log_path else None,
            max_repairs=settings.max_repairs,
            policy=Policy.from_settings(settings),
        )


class SecurityAction(enum.Enum):
    """What the controller did for one check."""

    SKIP_INCOMPLETE = "skip_incomplete"
    SKIP_BUDGET = "skip_budget"
    SKIP_MIN_TOKENS = "skip_min_tokens"
    SKIP_NOT_BOUNDARY = "skip_not_boundary"
    SOFT_PENALTY = "soft_penalty"
    HARD_FAIL = "hard_fail"
    NO_ISSUES = "no_issues"


@dataclass(frozen=True)
class SecurityDecision:
    """The answer to one check.

    ``issues`` are all issues in the code now; ``new_issues`` those charged by
    this check; ``penalty_delta`` their weight (plus 2.0 the first time the
    code is found invalid); ``penalty_total`` the beam's charge so far.
    ``parse_state`` is ``None`` when the verifier was not run.
    """

    action: SecurityAction
    parse_state: ParseState | None
    issues: tuple[SecurityIssue, ...] = ()
    new_issues: tuple[SecurityIssue, ...] = ()
    penalty_delta: float = 0.0
    penalty_total: float = 0.0
    hard_failed: bool = False


@dataclass
class GenerationStats:
    """Counters for one generation (one ``gen_id``)."""

    gen_id: str
    verifier_calls: int = 0
    cache_hits: int = 0
    soft_penalties: int = 0
    hard_fails: int = 0
    repairs: int = 0
    skips: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {
            "gen_id": self.gen_id,
            "verifier_calls": self.verifier_calls,
            "cache_hits": self.cache_hits,
            "soft_penalties": self.soft_penalties,
            "hard_fails": self.hard_fails,
            "repairs": self.repairs,
            "skips": dict(self.skips),
        }


@dataclass(frozen=True)
class _BeamCharge:
    """What one beam has been charged for so far."""

    gen_id: str
    charged: frozenset[IssueKey] = frozenset()
    total: float = 0.0


def _key(issue: SecurityIssue) -> IssueKey:
    return issue.id, issue.line, issue.col


class SecurityController:
    """Decides, per beam and step, whether to analyse, and what the beam is charged."""

    def __init__(
        self,
        config: SABSConfig | None = None,
        *,
        cache: SecurityCache | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config or SABSConfig()
        self._cache = (cache or SecurityCache()) if self.config.cache_enabled else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._beams: dict[int, _BeamCharge] = {}
        self._stats: dict[str, GenerationStats] = {}

    # --- the search's interface ------------------------------------------------

    def check(
        self,
        *,
        gen_id: str,
        beam_id: int,
        step: int,
        position: int,
        code: str,
        tokens_since_check: int,
        at_boundary: bool,
        final: bool = False,
    ) -> SecurityDecision:
        """Judge the beam's code so far (prompt + completion; fences and prose are stripped).

        A ``final`` check (the beam has finished) always runs: what it returns is the code
        the search may hand back, so no skip rule applies to it.
        """
        stats = self.stats(gen_id)
        charge = self._charge(gen_id, beam_id)
        skip = None if final else self._skip_reason(stats, tokens_since_check, at_boundary)
        if skip is not None:
            stats.skips[skip.name] = stats.skips.get(skip.name, 0) + 1
            return SecurityDecision(skip, None, penalty_total=charge.total)

        analysed = extract_code(code)
        hits_before = self._cache.stats().hits if self._cache is not None else 0
        result = analyze_incremental(analysed, self._cache, self.config.policy)
        stats.verifier_calls += 1
        if self._cache is not None and self._cache.stats().hits > hits_before:
            stats.cache_hits += 1

        new_issues = tuple(i for i in result.issues if _key(i) not in charge.charged)
        new_keys = {_key(i) for i in new_issues}
        delta = sum(SEVERITY_WEIGHTS[i.severity] for i in new_issues)
        if result.parse_state is ParseState.PARSE_INVALID and _INVALID_KEY not in charge.charged:
            new_keys.add(_INVALID_KEY)
            delta += INVALID_PENALTY
        charge = replace(charge, charged=charge.charged | new_keys, total=charge.total + delta)
        self._beams[beam_id] = charge

        hard = self.config.hard_fail_on_critical and any(
            i.severity is Severity.CRITICAL for i in result.issues
        )
        action = self._action(hard, delta, result.parse_state)
        if action is SecurityAction.SOFT_PENALTY:
            stats.soft_penalties += 1
        elif action is SecurityAction.HARD_FAIL:
            stats.hard_fails += 1
        decision = SecurityDecision(
            action=action,
            parse_state=result.parse_state,
            issues=result.issues,
            new_issues=new_issues,
            penalty_delta=delta,
            penalty_total=charge.total,
            hard_failed=hard,
        )
        self._log(gen_id, beam_id, step, position, tokens_since_check, analysed, decision)
        return decision

    def fork(self, parent_id: int, child_id: int) -> None:
        """Let ``child_id`` start from everything ``parent_id`` has been charged for."""
        parent = self._beams.get(parent_id)
        if parent is not None:
            self._beams[child_id] = parent
        else:
            self._beams.pop(child_id, None)

    def forget(self, beam_id: int) -> None:
        """Drop a beam's charges (pruned, finished or replaced)."""
        self._beams.pop(beam_id, None)

    def record_repair(self, gen_id: str) -> None:
        """Count one repair of generation ``gen_id`` (the search performs it)."""
        self.stats(gen_id).repairs += 1

    def stats(self, gen_id: str) -> GenerationStats:
        """The counters of generation ``gen_id`` (created empty on first use)."""
        found = self._stats.get(gen_id)
        if found is None:
            found = self._stats[gen_id] = GenerationStats(gen_id)
        return found

    def summary(self) -> dict[str, Any]:
        """Counters summed over every generation this controller has judged."""
        total = GenerationStats(gen_id=",".join(self._stats))
        for stats in self._stats.values():
            total.verifier_calls += stats.verifier_calls
            total.cache_hits += stats.cache_hits
            total.soft_penalties += stats.soft_penalties
            total.hard_fails += stats.hard_fails
            total.repairs += stats.repairs
            for name, count in stats.skips.items():
                total.skips[name] = total.skips.get(name, 0) + count
        return total.to_dict()

    def penalty_total(self, beam_id: int) -> float:
        """Everything ``beam_id`` has been charged so far (0.0 for an unknown beam)."""
        charge = self._beams.get(beam_id)
        return charge.total if charge is not None else 0.0

    def weighted_penalty(self, beam_id: int) -> float:
        """``lambda_weight`` times the beam's charge: what its score loses."""
        return self.config.lambda_weight * self.penalty_total(beam_id)

    @property
    def cache(self) -> SecurityCache | None:
        """The verifier cache (``None`` when caching is off)."""
        return self._cache

    # --- internals -----------------------------------------------------------------

    def _charge(self, gen_id: str, beam_id: int) -> _BeamCharge:
        charge = self._beams.get(beam_id)
        if charge is None or charge.gen_id != gen_id:
            charge = _BeamCharge(gen_id)
            self._beams[beam_id] = charge
        return charge

    def _skip_reason(
        self, stats: GenerationStats, tokens_since_check: int, at_boundary: bool
    ) -> SecurityAction | None:
        if not at_boundary:
            return SecurityAction.SKIP_NOT_BOUNDARY
        if tokens_since_check < self.config.min_tokens_between_checks:
            return SecurityAction.SKIP_MIN_TOKENS
        if stats.verifier_calls >= self.config.max_verifier_calls:
            return SecurityAction.SKIP_BUDGET
        return None

    @staticmethod
    def _action(hard: bool, delta: float, parse_state: ParseState) -> SecurityAction:
        if hard:
            return SecurityAction.HARD_FAIL
        if delta > 0:
            return SecurityAction.SOFT_PENALTY
        if parse_state is ParseState.PARSE_INCOMPLETE:
            return SecurityAction.SKIP_INCOMPLETE
        return SecurityAction.NO_ISSUES

    def _log(
        self,
        gen_id: str,
        beam_id: int,
        step: int,
        position: int,
        tokens_since_check: int,
        code: str,
        decision: SecurityDecision,
    ) -> None:
        path = self.config.log_path
        if path is None:
            return
        record = {
            "gen_id": gen_id,
            "step": step,
            "beam_id": beam_id,
            "position": position,
            "tokens_since_check": tokens_since_check,
            "parse_state": decision.parse_state.name if decision.parse_state else None,
            "issues": [issue.to_dict() for issue in decision.issues],
            "penalty_delta": decision.penalty_delta,
            "penalty_total": decision.penalty_total,
            "action": decision.action.name,
            "hard_failed": decision.hard_failed,
            "code_snippet": code[-SNIPPET_CHARS:],
            "timestamp": self._clock().isoformat(),
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")
        except OSError as error:
            raise SabsLogError(
                f"cannot write the SABS log {path}: {error.strerror or error}; "
                "choose a writable --sabs-log path"
            ) from error
