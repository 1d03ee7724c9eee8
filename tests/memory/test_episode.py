"""Episode values: JSON round trip and the severity helpers the exporters rely on."""

from __future__ import annotations

import json

from analysis.findings import Severity
from memory.episode import Attempt, Episode, Outcome, ReviewStatus
from tests.memory.factories import INSECURE_FINDING, STYLE_FINDING, two_cycle_episode


def test_episode_survives_a_json_round_trip() -> None:
    episode = two_cycle_episode("run-1", review_status=ReviewStatus.REJECTED, reviewer_note="no")
    assert Episode.from_dict(json.loads(json.dumps(episode.to_dict()))) == episode


def test_attempt_with_an_error_finding_is_blocking() -> None:
    attempt = Attempt(cycle=1, code="x", findings=(STYLE_FINDING, INSECURE_FINDING))
    assert attempt.blocking
    assert attempt.worst_severity is Severity.ERROR


def test_attempt_with_only_warnings_is_not_blocking() -> None:
    assert not Attempt(cycle=1, code="x", findings=(STYLE_FINDING,)).blocking


def test_attempt_without_findings_has_no_worst_severity() -> None:
    assert Attempt(cycle=1, code="x").worst_severity is None


def test_enums_serialise_as_their_documented_names() -> None:
    assert [o.value for o in Outcome] == ["clean", "limit", "no-safe-beam", "interrupted", "error"]
    assert [s.value for s in ReviewStatus] == ["pending", "approved", "rejected"]
