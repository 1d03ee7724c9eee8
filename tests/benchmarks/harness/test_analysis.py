"""Paired outcomes and branch profiles of benchmark records."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.harness.analysis import (
    branch_profile,
    compare_modes,
    paired,
    token_kind,
)


def _record(problem: str, passed: bool, code: str = "x", **extra: Any) -> dict[str, Any]:
    return {"problem": problem, "passed": passed, "completion": {"code": code, "extra": extra}}


def _event(step: int, top: str, *, entropy: float = 3.0, p: float = 0.4) -> dict[str, Any]:
    return {"step": step, "entropy": entropy, "alternatives": [[top, p], ["other", 0.1]]}


def test_paired_counts_each_cell_of_the_outcome_table() -> None:
    greedy = [_record("a", True), _record("b", True), _record("c", False), _record("d", False)]
    beams = [_record("a", True), _record("b", False), _record("c", True), _record("d", False)]
    pair = paired(greedy, beams, mode="beams", reference_name="greedy")
    assert (pair.both, pair.only_reference, pair.only_mode, pair.neither) == (1, 1, 1, 1)
    assert pair.problems == 4


def test_paired_counts_identical_code_and_skips_problems_the_reference_lacks() -> None:
    greedy = [_record("a", False, "same"), _record("b", False, "one")]
    beams = [_record("a", False, "same"), _record("b", False, "two"), _record("z", True)]
    pair = paired(greedy, beams, mode="beams", reference_name="greedy")
    assert (pair.problems, pair.same_code, pair.only_mode) == (2, 1, 0)


def test_paired_reads_another_key_and_outcome() -> None:
    greedy = [{"id": "p1", "bandit_insecure": True, "completion": {"code": "a"}}]
    sabs = [{"id": "p1", "bandit_insecure": False, "completion": {"code": "b"}}]
    pair = paired(greedy, sabs, mode="sabs", reference_name="greedy", key="id",
                  outcome="bandit_insecure")
    assert pair.only_reference == 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (" return", "keyword"),
        ("if", "keyword"),
        (" numbers", "identifier"),
        (" <=", "operator"),
        ("(", "operator"),
        (" 10", "number"),
        (' "', "string"),
        ("f'", "string"),
        ("#", "comment"),
        ("\n    ", "whitespace"),
    ],
)
def test_token_kind(text: str, kind: str) -> None:
    assert token_kind(text) == kind


def test_a_branch_profile_shares_events_by_kind_and_step() -> None:
    records = [
        _record("a", False, branches=3,
                branch_points=[_event(2, " return"), _event(20, " x", entropy=2.0)]),
        _record("b", False, branches=1, branch_points=[_event(70, " x", p=0.2)]),
    ]
    profile = branch_profile("beams", records)
    assert profile is not None
    assert profile.branches_per_problem == 2.0
    assert profile.events == 3
    assert profile.by_kind["keyword"] == pytest.approx(1 / 3)
    assert profile.by_kind["identifier"] == pytest.approx(2 / 3)
    assert profile.by_position == pytest.approx(
        {"steps 0-9": 1 / 3, "steps 10-49": 1 / 3, "steps 50+": 1 / 3}
    )
    assert profile.mean_entropy == pytest.approx(8 / 3)
    assert profile.mean_top_probability == pytest.approx(1.0 / 3)


def test_records_without_branch_events_have_no_profile() -> None:
    assert branch_profile("greedy", [_record("a", True)]) is None


def test_compare_modes_pairs_every_mode_with_the_reference_and_profiles_the_search() -> None:
    records = {
        "greedy": [_record("a", False)],
        "beams": [_record("a", True, branches=1, branch_points=[_event(1, " y")])],
        "loop": [_record("a", False)],
    }
    text, document = compare_modes(records, reference="greedy", key="problem", outcome="passed")
    assert [p["mode"] for p in document["paired"]] == ["beams", "loop"]
    assert document["paired"][0]["only_mode"] == 1
    assert [b["mode"] for b in document["branching"]] == ["beams"]
    assert "| beams | greedy | 1 | 0 | 0 | 1 | 0 | 1 |" in text


def test_compare_modes_with_one_mode_has_nothing_to_pair() -> None:
    text, document = compare_modes(
        {"greedy": [_record("a", True)]}, reference="greedy", key="problem", outcome="passed"
    )
    assert (text, document) == ("", {"paired": [], "branching": []})
