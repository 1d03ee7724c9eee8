"""The security issue value: ordered, JSON round trip."""

from __future__ import annotations

import dataclasses
import json

from analysis.findings import Severity
from analysis.security import Confidence, SecurityIssue

ISSUE = SecurityIssue(3, 5, "SC101", 95, Severity.CRITICAL, Confidence.HIGH, "eval runs code")


def test_issues_sort_by_position() -> None:
    later = dataclasses.replace(ISSUE, line=1, id="SC999")
    assert sorted([ISSUE, later]) == [later, ISSUE]


def test_issue_round_trips_through_json() -> None:
    data = json.loads(json.dumps(ISSUE.to_dict()))
    assert SecurityIssue.from_dict(data) == ISSUE


def test_dict_names_severity_and_confidence() -> None:
    assert (ISSUE.to_dict()["severity"], ISSUE.to_dict()["confidence"]) == ("CRITICAL", "HIGH")
