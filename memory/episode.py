"""What one run leaves behind: its attempts, outcome and review state.

Episodes are immutable values; the store persists them and only the review
fields change afterwards (through :meth:`memory.store.EpisodeStore.set_review`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analysis.findings import Finding, Severity


class Outcome(enum.StrEnum):
    """How a run ended."""

    CLEAN = "clean"  # the returned attempt: no finding at ERROR or above, no check failed
    LIMIT = "limit"  # the cycle limit was reached with findings or failed checks left
    NO_SAFE_BEAM = "no-safe-beam"  # SABS pruned every beam
    INTERRUPTED = "interrupted"  # stopped by the user or a human gate
    ERROR = "error"  # the run failed


class ReviewStatus(enum.StrEnum):
    """Where an episode stands with its human reviewer."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


#: The keys of a run's attempt that say what running it showed (``verification``).
VERIFICATION_KEYS = ("passed", "accepted", "checks", "candidates", "origin", "repeated")


@dataclass(frozen=True)
class Attempt:
    """One cycle's code with what the static tests and the sandbox said about it.

    ``verification`` holds ``passed`` (every example and test passed; None: none
    ran), ``accepted``, ``checks`` (the verdict of each check: label, origin,
    outcome, expected, got, error, line), ``candidates``, ``origin`` and
    ``repeated``; it is empty for an attempt of a version that did not verify.
    """

    cycle: int
    code: str
    findings: tuple[Finding, ...] = ()
    completeness: float = 0.0
    decoding_stats: dict[str, Any] = field(default_factory=dict)
    sabs_stats: dict[str, Any] = field(default_factory=dict)
    feedback: str = ""
    verification: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        """Whether every example and test passed (None when none ran)."""
        value = self.verification.get("passed")
        return None if value is None else bool(value)

    @property
    def worst_severity(self) -> Severity | None:
        """The most severe finding's severity, or None when there is none."""
        return max((f.severity for f in self.findings), default=None)

    @property
    def blocking(self) -> bool:
        """True when some finding is at ERROR or above."""
        worst = self.worst_severity
        return worst is not None and worst >= Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {
            "cycle": self.cycle,
            "code": self.code,
            "findings": [f.to_dict() for f in self.findings],
            "completeness": self.completeness,
            "decoding_stats": self.decoding_stats,
            "sabs_stats": self.sabs_stats,
            "feedback": self.feedback,
            "verification": self.verification,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attempt:
        """Inverse of :meth:`to_dict`."""
        return cls(
            cycle=int(data["cycle"]),
            code=str(data["code"]),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", ())),
            completeness=float(data.get("completeness", 0.0)),
            decoding_stats=dict(data.get("decoding_stats") or {}),
            sabs_stats=dict(data.get("sabs_stats") or {}),
            feedback=str(data.get("feedback", "")),
            verification=dict(data.get("verification") or {}),
        )


@dataclass(frozen=True)
class Episode:
    """One run of the loop: the task, every attempt, the result and its review.

    ``id`` is chosen by the caller (the orchestrator uses its run id), so that
    adding the same episode twice stores it once.
    """

    id: str
    created_at: datetime
    task: str
    prompt: str
    stub: str | None
    final_code: str
    attempts: tuple[Attempt, ...]
    outcome: Outcome
    model_name: str
    model_sha256: str
    config_hash: str
    review_status: ReviewStatus = ReviewStatus.PENDING
    reviewer_note: str = ""
    reviewed_at: datetime | None = None

    @property
    def final_findings(self) -> tuple[Finding, ...]:
        """The findings of the last attempt (empty when there was none)."""
        return self.attempts[-1].findings if self.attempts else ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (datetimes as ISO 8601 strings)."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "task": self.task,
            "prompt": self.prompt,
            "stub": self.stub,
            "final_code": self.final_code,
            "attempts": [a.to_dict() for a in self.attempts],
            "outcome": self.outcome.value,
            "model_name": self.model_name,
            "model_sha256": self.model_sha256,
            "config_hash": self.config_hash,
            "review_status": self.review_status.value,
            "reviewer_note": self.reviewer_note,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Episode:
        """Inverse of :meth:`to_dict`."""
        reviewed_at = data.get("reviewed_at")
        return cls(
            id=str(data["id"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            task=str(data["task"]),
            prompt=str(data["prompt"]),
            stub=data.get("stub"),
            final_code=str(data["final_code"]),
            attempts=tuple(Attempt.from_dict(a) for a in data["attempts"]),
            outcome=Outcome(data["outcome"]),
            model_name=str(data["model_name"]),
            model_sha256=str(data["model_sha256"]),
            config_hash=str(data["config_hash"]),
            review_status=ReviewStatus(data.get("review_status", ReviewStatus.PENDING)),
            reviewer_note=str(data.get("reviewer_note", "")),
            reviewed_at=datetime.fromisoformat(reviewed_at) if reviewed_at else None,
        )
