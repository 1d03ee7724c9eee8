"""The routers are pure functions of the state: a table of cases."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.graph import (
    APPROVE,
    LEARN,
    REFLECT,
    SAMPLE,
    WRITE_TESTS,
    recursion_limit,
    route_after_approval,
    route_after_reflect,
    route_after_verify,
)


def state(*cleans: bool, max_cycles: int = 3, status: str = "running", **extra: Any) -> Any:
    return {
        "attempts": [{"clean": c, "accepted": c} for c in cleans],
        "max_cycles": max_cycles,
        "status": status,
        **extra,
    }


@pytest.mark.parametrize(
    ("cleans", "max_cycles", "expected"),
    [
        ((True,), 3, LEARN),
        ((False,), 3, REFLECT),
        ((False, False), 3, REFLECT),
        ((False, False, False), 3, LEARN),
        ((False, True), 3, LEARN),
        ((False,), 1, LEARN),
    ],
)
def test_route_after_verify(cleans: tuple[bool, ...], max_cycles: int, expected: str) -> None:
    assert route_after_verify(state(*cleans, max_cycles=max_cycles)) == expected


@pytest.mark.parametrize(
    ("cleans", "max_cycles", "expected"),
    [((True,), 3, REFLECT), ((True, True, True), 3, LEARN), ((False,), 3, REFLECT)],
)
def test_clean_code_is_reviewed_when_the_run_reviews_clean_code(
    cleans: tuple[bool, ...], max_cycles: int, expected: str
) -> None:
    reviewing = state(*cleans, max_cycles=max_cycles, review_when_clean=True)
    assert route_after_verify(reviewing) == expected


@pytest.mark.parametrize(
    ("clean", "verdicts", "expected"),
    [
        (True, ["defects"], APPROVE),
        (True, ["no_defects"], LEARN),
        (True, ["unclear"], LEARN),
        (True, [""], LEARN),
        (False, ["no_defects"], APPROVE),
        (False, [""], APPROVE),
    ],
)
def test_route_after_reflect(clean: bool, verdicts: list[str], expected: str) -> None:
    assert route_after_reflect(state(clean, review_verdicts=verdicts)) == expected


def test_route_after_reflect_refuses_an_impossible_state() -> None:
    with pytest.raises(ValueError, match="no judged attempt"):
        route_after_reflect(state())


def test_a_cycle_that_asked_for_tests_or_samples_gets_them_before_anything_else() -> None:
    assert route_after_verify(state(False, more="samples")) == SAMPLE
    assert route_after_verify(state(more="samples")) == SAMPLE
    assert route_after_verify(state(True, more="tests")) == WRITE_TESTS


def test_clean_code_that_failed_an_example_is_not_accepted() -> None:
    failed: Any = {"attempts": [{"clean": True, "accepted": False}], "max_cycles": 3}
    assert route_after_verify(failed) == REFLECT
    assert route_after_reflect(failed | {"review_verdicts": [""]}) == APPROVE


def test_route_after_verify_refuses_an_impossible_state() -> None:
    with pytest.raises(ValueError, match="no judged attempt"):
        route_after_verify(state())


@pytest.mark.parametrize(("status", "expected"), [("running", "generate"), ("stopped", "learn")])
def test_route_after_approval(status: str, expected: str) -> None:
    assert route_after_approval(state(False, status=status)) == expected


def test_route_after_approval_refuses_a_finished_run() -> None:
    with pytest.raises(ValueError, match="status 'clean'"):
        route_after_approval(state(True, status="clean"))


def test_recursion_limit_grows_with_cycles() -> None:
    # a cycle takes at most 10 steps (generate, static_test, verify, write_tests, verify,
    # sample, static_test, verify, reflect, approve), a run prepare and learn besides
    assert recursion_limit(1) >= 10 + 2
    assert recursion_limit(3) - recursion_limit(2) == 10
