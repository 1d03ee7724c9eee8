"""Security-aware beam search (SABS): the controller the search consults at boundaries.

For each live beam that ends a statement the search asks
:meth:`SecurityController.check`. The controller decides whether to analyse at
all (budget, tokens since the last check, syntactic boundary), runs the
incremental security verifier on the beam's code, and charges the beam only for
issues it has not been charged for before; issues on the prompt's own lines are
never charged. A new issue at or above the unsafe severity names where the
search rewinds the beam to (the token that chose the construct is then banned
there). So does a new syntax error in the completion that no continuation can
fix: a ban must not buy safety with code that does not parse (the model would
otherwise write ``pickle loads(...)`` once ``.loads`` is banned). When the search
asks it to judge a rewritten statement (``rewritten``), a name used there that
the code binds nowhere is unsafe too (``pickleloads(...)`` parses, but is no
rewrite). The controller also carries ``safe_boost``, the logit bonus the
search gives the safe spelling after a rewind, and records why a generation was
refused when no beam was left safe. Every analysed check is appended to a JSONL
decision log when one is configured.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
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
    loaded_registry,
)
from config.errors import UserError
from config.settings import SabsSettings
from decoding.steering import SYNTAX_RULE, UNDEFINED_RULE, closes, undefined_names

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 240
_INVALID_KEY: tuple[str, int, int] = ("PARSE_INVALID", 0, 0)
IssueKey = tuple[str, int, int]  # rule, line in the beam's code, column
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2, Severity.CRITICAL: 3}


class SabsLogError(UserError):
    """The SABS decision log cannot be written."""


#: The ``sabs`` section's defaults: the one source of SABSConfig's defaults.
_DEFAULTS = SabsSettings()


@dataclass(frozen=True)
class SABSConfig:
    """How SABS judges beams; its defaults are the ``sabs`` settings' defaults.

    ``SABSConfig() == SABSConfig.from_settings(SabsSettings())``.
    ``unsafe_severity``: a new issue at or above it makes its statement unsafe
    (``None``: issues only cost score). ``safe_boost``: the logit bonus of the tokens
    that begin a safe spelling after a rewind (0: none).
    """

    unsafe_severity: Severity | None = (
        Severity[_DEFAULTS.unsafe_severity] if _DEFAULTS.hard_fail_on_critical else None
    )
    max_verifier_calls: int = _DEFAULTS.max_verifier_calls
    min_tokens_between_checks: int = _DEFAULTS.min_tokens_between_checks
    cache_enabled: bool = _DEFAULTS.cache_enabled
    log_path: Path | None = Path(_DEFAULTS.log_path) if _DEFAULTS.log_path else None
    policy: Policy = DEFAULT_POLICY  # == Policy.from_settings(SabsSettings())
    safe_boost: float = _DEFAULTS.safe_boost

    def __post_init__(self) -> None:
        if self.safe_boost < 0:
            raise ValueError("SABSConfig.safe_boost must not be negative")
        if self.max_verifier_calls < 0:
            raise ValueError("SABSConfig.max_verifier_calls must not be negative")
        if self.min_tokens_between_checks < 1:
            raise ValueError("SABSConfig.min_tokens_between_checks must be at least 1")

    @classmethod
    def from_settings(cls, settings: SabsSettings) -> SABSConfig:
        """The configuration (and security policy) described by the ``sabs`` settings."""
        return cls(
            unsafe_severity=(
                Severity[settings.unsafe_severity] if settings.hard_fail_on_critical else None
            ),
            max_verifier_calls=settings.max_verifier_calls,
            min_tokens_between_checks=settings.min_tokens_between_checks,
            cache_enabled=settings.cache_enabled,
            log_path=Path(settings.log_path) if settings.log_path else None,
            policy=Policy.from_settings(settings),
            safe_boost=settings.safe_boost,
        )

    def is_unsafe(self, issue: SecurityIssue) -> bool:
        """Whether ``issue`` makes its statement unsafe."""
        return self.unsafe_severity is not None and (
            _RANK[issue.severity] >= _RANK[self.unsafe_severity]
        )


class SecurityAction(enum.Enum):
    """What the controller did for one check."""

    SKIP_BUDGET = "skip_budget"
    SKIP_MIN_TOKENS = "skip_min_tokens"
    SKIP_NOT_BOUNDARY = "skip_not_boundary"
    INCOMPLETE = "incomplete"
    NO_ISSUES = "no_issues"
    SOFT_PENALTY = "soft_penalty"
    UNSAFE = "unsafe"
    INVALID = "invalid"  # a new syntax error in the completion: steered like UNSAFE
    UNDEFINED = "undefined"  # a rewritten statement uses a name bound nowhere: steered too


_SKIPS = frozenset(
    {SecurityAction.SKIP_BUDGET, SecurityAction.SKIP_MIN_TOKENS, SecurityAction.SKIP_NOT_BOUNDARY}
)


@dataclass(frozen=True)
class SecurityDecision:
    """The answer to one check.

    ``issues`` are all issues in the code now; ``new_issues`` those charged by
    this check; ``penalty_delta`` their weight (plus a fixed charge the first
    time the code is found invalid); ``penalty_total`` the beam's charge so far.
    ``parse_state`` is ``None`` when the verifier was not run. ``unsafe_line``
    is the first line (1-based, in the code checked) of a new unsafe issue, or
    else of a new syntax error in the completion, or else of a name a rewritten
    statement uses that the code binds nowhere; ``unsafe_col`` is the column
    (1-based, UTF-8 bytes) where it starts, and ``unsafe_rule`` its rule: the
    issue's id, ``SYNTAX_RULE`` or ``UNDEFINED_RULE``.
    """

    action: SecurityAction
    parse_state: ParseState | None
    issues: tuple[SecurityIssue, ...] = ()
    new_issues: tuple[SecurityIssue, ...] = ()
    penalty_delta: float = 0.0
    penalty_total: float = 0.0
    unsafe_line: int | None = None
    unsafe_col: int | None = None
    unsafe_rule: str | None = None

    @property
    def checked(self) -> bool:
        """Whether the verifier ran for this check."""
        return self.action not in _SKIPS


@dataclass
class SabsCounters:
    """What SABS did in one generation (one ``gen_id``)."""

    gen_id: str
    verifier_calls: int = 0
    cache_hits: int = 0
    soft_penalties: int = 0
    unsafe: int = 0  # checks that found an unsafe statement
    invalid: int = 0  # checks that found a new syntax error in the completion
    undefined: int = 0  # checks that found a rewrite using a name bound nowhere
    skips: dict[str, int] = field(default_factory=dict)
    refusal: str = ""  # why no beam was left safe: the rule and the construct ("" if one was)

    def add(self, other: SabsCounters) -> None:
        """Add ``other``'s counts to these."""
        self.verifier_calls += other.verifier_calls
        self.cache_hits += other.cache_hits
        self.soft_penalties += other.soft_penalties
        self.unsafe += other.unsafe
        self.invalid += other.invalid
        self.undefined += other.undefined
        for name, count in other.skips.items():
            self.skips[name] = self.skips.get(name, 0) + count
        self.refusal = other.refusal or self.refusal

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {
            "gen_id": self.gen_id,
            "verifier_calls": self.verifier_calls,
            "cache_hits": self.cache_hits,
            "soft_penalties": self.soft_penalties,
            "unsafe": self.unsafe,
            "invalid": self.invalid,
            "undefined": self.undefined,
            "skips": dict(self.skips),
            "refusal": self.refusal,
        }


@dataclass(frozen=True)
class _BeamCharge:
    """What one beam has been charged for so far, and how much each issue cost."""

    gen_id: str
    charged: dict[IssueKey, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.charged.values())


class SecurityController:
    """Decides, per beam and step, whether to analyse, what the beam is charged, and whether
    its newest statement is unsafe."""

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
        self._stats: dict[str, SabsCounters] = {}

    # --- the search's interface ------------------------------------------------

    @property
    def safe_boost(self) -> float:
        """The logit bonus of the tokens that begin a safe spelling after a rewind."""
        return self.config.safe_boost

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
        prompt_lines: int = 0,
        force: bool = False,
        rewritten: tuple[int, int, int] | None = None,
    ) -> SecurityDecision:
        """Judge the beam's code so far (prompt + completion; fences and prose are stripped).

        The first ``prompt_lines`` lines of ``code`` are the prompt's: issues there are
        neither charged nor unsafe. A ``final`` check (the beam has finished) always runs:
        what it returns is the code the search may hand back, so no skip rule applies to it;
        nor to a ``force`` check (a rewritten statement is whole). ``rewritten`` (1-based
        line and 0-based UTF-8 column where a rewrite began, and the last line of its
        statement, in ``code``) asks whether the rewrite uses a name the code binds nowhere.
        """
        stats = self.stats(gen_id)
        charge = self._charge(gen_id, beam_id)
        skip = (
            None if final or force else self._skip_reason(stats, tokens_since_check, at_boundary)
        )
        if skip is not None:
            stats.skips[skip.name] = stats.skips.get(skip.name, 0) + 1
            return SecurityDecision(skip, None, penalty_total=charge.total)

        analysed = extract_code(code)
        shift = _line_shift(code, analysed)
        hits_before = self._cache.stats().hits if self._cache is not None else 0
        result = analyze_incremental(analysed, self._cache, self.config.policy)
        stats.verifier_calls += 1
        if self._cache is not None and self._cache.stats().hits > hits_before:
            stats.cache_hits += 1

        own = [i for i in result.issues if i.line + shift > prompt_lines]
        new_issues = tuple(i for i in own if _key(i, shift) not in charge.charged)
        charged = dict(charge.charged)
        for issue in new_issues:
            charged[_key(issue, shift)] = SEVERITY_WEIGHTS[issue.severity]
        broken = None  # a syntax error this check is the first to find, in the completion
        if result.parse_state is ParseState.PARSE_INVALID and _INVALID_KEY not in charged:
            charged[_INVALID_KEY] = INVALID_PENALTY
            if result.error_at is not None and result.error_at[0] + shift > prompt_lines:
                broken = (result.error_at[0] + shift, result.error_at[1])
        if rewritten is not None and broken is None and not closes(analysed):
            broken = (rewritten[0], rewritten[1] + 1)  # a whole rewrite must parse, at least
            # once its open blocks are closed, whatever the beam was charged before
        delta = sum(charged.values()) - charge.total
        charge = _BeamCharge(gen_id, charged)
        self._beams[beam_id] = charge

        unsafe = sorted(
            (i.line + shift, i.col, i.id) for i in new_issues if self.config.is_unsafe(i)
        )
        undefined = (
            self._undefined(analysed, shift, rewritten)
            if rewritten is not None and not unsafe and broken is None
            else None
        )
        if unsafe:
            unsafe_line, unsafe_col, rule = unsafe[0]
        elif broken is not None:
            (unsafe_line, unsafe_col), rule = broken, SYNTAX_RULE
        elif undefined is not None:
            unsafe_line, unsafe_col, rule = undefined
        else:
            unsafe_line, unsafe_col, rule = None, None, None
        action = self._action(bool(unsafe), broken is not None, delta, result.parse_state)
        if action is SecurityAction.SOFT_PENALTY:
            stats.soft_penalties += 1
        elif action is SecurityAction.UNSAFE:
            stats.unsafe += 1
        elif action is SecurityAction.INVALID:
            stats.invalid += 1
        if undefined is not None:
            action = SecurityAction.UNDEFINED
            stats.undefined += 1
        decision = SecurityDecision(
            action=action,
            parse_state=result.parse_state,
            issues=result.issues,
            new_issues=new_issues,
            penalty_delta=delta,
            penalty_total=charge.total,
            unsafe_line=unsafe_line,
            unsafe_col=unsafe_col or None,
            unsafe_rule=rule,
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

    def rewind(self, gen_id: str, beam_id: int, from_line: int) -> float:
        """The beam lost its code from ``from_line`` on: drop those charges and return what
        the beam is still charged."""
        charge = self._charge(gen_id, beam_id)
        kept = {k: w for k, w in charge.charged.items() if k != _INVALID_KEY and k[1] < from_line}
        self._beams[beam_id] = _BeamCharge(gen_id, kept)
        return self._beams[beam_id].total

    def forget(self, beam_id: int) -> None:
        """Drop a beam's charges (pruned, finished or replaced)."""
        self._beams.pop(beam_id, None)

    def refuse(self, gen_id: str, reason: str) -> None:
        """Record why generation ``gen_id`` was left with no safe beam (the rule and the
        construct; a security rule's CWE is added)."""
        rule = loaded_registry().rules.get(reason.split(" ", 1)[0])
        self.stats(gen_id).refusal = f"{reason} (CWE-{rule.cwe})" if rule and rule.cwe else reason

    def stats(self, gen_id: str) -> SabsCounters:
        """The counters of generation ``gen_id`` (created empty on first use)."""
        found = self._stats.get(gen_id)
        if found is None:
            found = self._stats[gen_id] = SabsCounters(gen_id)
        return found

    def summary(self) -> dict[str, Any]:
        """Counters summed over every generation this controller has judged."""
        total = SabsCounters(gen_id=",".join(self._stats))
        for stats in self._stats.values():
            total.add(stats)
        return total.to_dict()

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
        self, stats: SabsCounters, tokens_since_check: int, at_boundary: bool
    ) -> SecurityAction | None:
        if not at_boundary:
            return SecurityAction.SKIP_NOT_BOUNDARY
        if tokens_since_check < self.config.min_tokens_between_checks:
            return SecurityAction.SKIP_MIN_TOKENS
        if stats.verifier_calls >= self.config.max_verifier_calls:
            return SecurityAction.SKIP_BUDGET
        return None

    @staticmethod
    def _undefined(
        analysed: str, shift: int, rewritten: tuple[int, int, int]
    ) -> tuple[int, int, str] | None:
        """The first name the rewrite uses that ``analysed`` binds nowhere: its line (in the
        code checked), 1-based column and ``UNDEFINED_RULE``; ``None`` when there is none."""
        line, column, last_line = rewritten
        found = undefined_names(analysed, (line - shift, column), last_line - shift)
        if not found:
            return None
        _, at_line, at_col = found[0]
        return at_line + shift, at_col, UNDEFINED_RULE

    @staticmethod
    def _action(
        unsafe: bool, broken: bool, delta: float, parse_state: ParseState
    ) -> SecurityAction:
        if unsafe:
            return SecurityAction.UNSAFE
        if broken:
            return SecurityAction.INVALID
        if delta > 0:
            return SecurityAction.SOFT_PENALTY
        if parse_state is ParseState.PARSE_INCOMPLETE:
            return SecurityAction.INCOMPLETE
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
            "unsafe_line": decision.unsafe_line,
            "unsafe_col": decision.unsafe_col,
            "unsafe_rule": decision.unsafe_rule,
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


def _key(issue: SecurityIssue, shift: int) -> IssueKey:
    return issue.id, issue.line + shift, issue.col


def _line_shift(code: str, analysed: str) -> int:
    """How many lines of ``code`` precede the code the verifier saw (prose or a fence line)."""
    found = code.find(analysed[:200]) if analysed else -1
    return code.count("\n", 0, found) if found > 0 else 0
