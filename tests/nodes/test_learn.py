"""How a run ended, read from the attempt it returns."""

from __future__ import annotations

from typing import Any

from memory.episode import Outcome
from nodes.learn import outcome_of
from nodes.state import RunState


def attempt(stop_reason: str, *, clean: bool) -> dict[str, Any]:
    return {"cycle": 1, "code": "def f():\n    pass\n", "stop_reason": stop_reason,
            "clean": clean, "accepted": clean, "findings": [], "completeness": 1.0}


def state(*attempts: dict[str, Any]) -> RunState:
    return RunState(attempts=list(attempts))  # type: ignore[typeddict-item]


def test_code_cut_before_an_unsafe_statement_is_refused_even_when_it_is_clean() -> None:
    assert outcome_of(state(attempt("no_safe_beam", clean=True))) is Outcome.NO_SAFE_BEAM


def test_clean_code_that_ended_on_its_own_is_clean_and_other_code_hit_the_limit() -> None:
    assert outcome_of(state(attempt("eos", clean=True))) is Outcome.CLEAN
    assert outcome_of(state(attempt("eos", clean=False))) is Outcome.LIMIT
