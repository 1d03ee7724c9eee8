"""The routers are pure functions of the state: a table of cases."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.graph import (
    APPROVE,
    LEARN,
    REFLECT,
    recursion_limit,
    route_after_approval,
    route_after_reflect,
    route_after_test,
)


def state(*cleans: bool, max_cycles: int = 3, status: str = "running", **extra: Any) -> Any:
    return {
        "attempts": [{"clean": c} for c in cleans],
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
def test_route_after_test(cleans: tuple[bool, ...], max_cycles: int, expected: str) -> None:
    assert route_after_test(state(*cleans, max_cycles=max_cycles)) == expected


@pytest.mark.parametrize(
    ("cleans", "max_cycles", "expected"),
    [((True,), 3, REFLECT), ((True, True, True), 3, LEARN), ((False,), 3, REFLECT)],
)
def test_clean_code_is_reviewed_when_the_run_reviews_clean_code(
    cleans: tuple[bool, ...], max_cycles: int, expected: str
) -> None:
    reviewing = state(*cleans, max_cycles=max_cycles, review_when_clean=True)
    assert route_after_test(reviewing) == expected


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


def test_route_after_test_refuses_an_impossible_state() -> None:
    with pytest.raises(ValueError, match="no judged attempt"):
        route_after_test(state())


@pytest.mark.parametrize(("status", "expected"), [("running", "generate"), ("stopped", "learn")])
def test_route_after_approval(status: str, expected: str) -> None:
    assert route_after_approval(state(False, status=status)) == expected


def test_route_after_approval_refuses_a_finished_run() -> None:
    with pytest.raises(ValueError, match="status 'clean'"):
        route_after_approval(state(True, status="clean"))


def test_recursion_limit_grows_with_cycles() -> None:
    # a run of n cycles takes 4 steps per cycle plus learn: the bound must admit it, and no more than a few extra
    assert recursion_limit(1) >= 4 + 1
    assert recursion_limit(3) - recursion_limit(2) == 4
