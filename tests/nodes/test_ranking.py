"""Ranking a cycle's candidates and choosing the attempt a run returns: pure functions."""

from __future__ import annotations

from typing import Any

from nodes.ranking import (
    CheckResult,
    agreement,
    best_attempt,
    check_results,
    crashes,
    normalised,
    rank,
    verdict_of,
)
from nodes.state import Attempt, Candidate
from verify.checks import UNJUDGED, Check, Suite
from verify.sandbox import RunVerdict, TestVerdict

SUITE = Suite(
    (
        Check("assert f(1) == 2", "example", "f(1) == 2"),
        Check("assert f(2) == 3", "example", "f(2) == 3"),
        Check("assert f(0) == 1", "model", "f(0) == 1"),
        Check("assert f(5) == 6", "model", "f(5) == 6"),
    )
)


def verdict(*gots: str, status: str = "ok", error: str = "") -> dict[str, Any]:
    """A sandbox verdict over SUITE where f returned ``gots`` in order."""
    expected = ["2", "3", "1", "6"]
    tests = tuple(
        TestVerdict(
            source=check.source,
            outcome="passed" if got == want else "failed",
            expected=want,
            got=got,
        )
        for check, got, want in zip(SUITE.checks, gots, expected, strict=False)
    )
    return RunVerdict(status, error, tests, 0.1, "").to_dict()  # type: ignore[arg-type]


def candidate(
    code: str, run: dict[str, Any] | None, *, clean: bool = True, score: float = -1.0
) -> Candidate:
    findings = (
        []
        if clean
        else [
            {
                "severity": "ERROR",
                "rule": "X",
                "line": 1,
                "col": 1,
                "tool": "pyright",
                "message": "m",
            }
        ]
    )
    return Candidate(
        cycle=1,
        prompt="",
        code=code,
        stop_reason="eos",
        decoding_stats={},
        sabs_stats={},
        origin="search",
        score=score,
        seconds=1.0,
        judged={"findings": findings, "completeness": 1.0, "clean": clean, "tool_seconds": {}},
        verdict=run,
        verified_checks=len(SUITE.checks),
        verify_seconds=0.0,
    )


def test_results_follow_the_suite_with_what_each_call_returned() -> None:
    results = check_results(SUITE, verdict("2", "4", "1", "6"))
    assert [r.outcome for r in results] == ["passed", "failed", "passed", "passed"]
    assert (results[1].got, results[1].expected) == ("4", "3")
    assert verdict_of(results) is False


def test_code_that_does_not_load_fails_every_check_with_its_error() -> None:
    results = check_results(
        SUITE, verdict(status="error", error="NameError: name 'g' is not defined")
    )
    assert {r.outcome for r in results} == {"error"}
    assert results[0].error == "NameError: name 'g' is not defined"


def test_code_that_needs_what_the_sandbox_withholds_is_not_judged() -> None:
    error = "ModuleNotFoundError: No module named 'yaml' (line 1)"
    results = check_results(SUITE, verdict(status="error", error=error))
    assert {r.outcome for r in results} == {UNJUDGED}
    assert verdict_of(results) is None
    assert crashes(results, "import yaml\n") == []
    assert results[0].evidence() == f"`f(1) == 2` could not be judged in the sandbox: {error}"


def test_a_test_that_reaches_for_a_file_is_not_judged_and_the_others_still_are() -> None:
    run = RunVerdict.from_dict(verdict("2", "3", "1", "6"))
    missing = TestVerdict(
        SUITE.checks[1].source,
        "error",
        error="FileNotFoundError: [Errno 44] No such file or directory: 'a'",
    )
    tests = (run.tests[0], missing, *run.tests[2:])
    results = check_results(SUITE, RunVerdict("ok", "", tests, 0.1, "").to_dict())
    assert [r.outcome for r in results] == ["passed", UNJUDGED, "passed", "passed"]
    assert verdict_of(results) is True


def test_no_verdict_no_results_and_no_check_no_verdict() -> None:
    assert check_results(SUITE, None) == []
    assert verdict_of([CheckResult("f(0) == 1", "model", "failed")]) is None


def test_the_candidate_passing_more_examples_wins_over_likelier_and_agreeing_ones() -> None:
    right = candidate("def f(x): return x + 1", verdict("2", "3", "9", "9"), score=-5.0)
    wrong = candidate("def f(x): return 2 * x", verdict("2", "4", "1", "6"), score=-0.1)
    assert rank([wrong, right], SUITE) == [1, 0]


def test_agreement_on_the_model_tests_breaks_a_tie_on_the_examples() -> None:
    lonely = candidate("a", verdict("2", "3", "7", "7"), score=-0.1)
    twin_a = candidate("b", verdict("2", "3", "1", "6"), score=-2.0)
    twin_b = candidate("c", verdict("2", "3", "1", "6"), score=-3.0)
    assert rank([lonely, twin_a, twin_b], SUITE)[:2] == [1, 2]


def test_dual_agreement_is_cluster_size_times_tests_passed() -> None:
    signatures = [("1", "6"), ("1", "6"), ("7", "7"), None]
    assert agreement(signatures, [2, 2, 0, 0]) == [4, 4, 0, 0]


def test_code_an_earlier_attempt_had_ranks_last() -> None:
    old = candidate("def f(x): return x + 1", verdict("2", "3", "1", "6"))
    new = candidate("def f(x): return x", verdict("1", "2", "0", "5"))
    assert rank([old, new], SUITE, seen=["def f(x): return x + 1  \n"]) == [1, 0]


def test_without_checks_clean_code_wins_then_the_decoders_score() -> None:
    dirty = candidate("a", None, clean=False, score=-0.1)
    clean_low = candidate("b", None, score=-3.0)
    clean_high = candidate("c", None, score=-1.0)
    assert rank([dirty, clean_low, clean_high], Suite()) == [2, 1, 0]


def attempt(
    *, accepted: bool, passed: int, clean: bool = True, stop: str = "eos", code: str = "x = 1\n"
) -> Attempt:
    checks = [CheckResult("c", "example", "passed").to_dict()] * passed
    return {
        "code": code,
        "accepted": accepted,
        "clean": clean,
        "findings": [],
        "checks": checks,
        "stop_reason": stop,
    }  # type: ignore[typeddict-item]


def test_a_run_returns_its_best_attempt_not_a_worse_repair() -> None:
    attempts = [attempt(accepted=False, passed=3), attempt(accepted=False, passed=1)]
    assert best_attempt(attempts) == 0


def test_a_run_returns_the_later_of_equal_attempts_and_an_accepted_one_first() -> None:
    assert best_attempt([attempt(accepted=False, passed=2)] * 2) == 1
    assert best_attempt([attempt(accepted=False, passed=3), attempt(accepted=True, passed=2)]) == 1


def test_whole_code_beats_code_cut_before_an_unsafe_statement() -> None:
    cut = attempt(accepted=False, passed=0, stop="no_safe_beam")
    whole = attempt(accepted=False, passed=0, clean=False)
    assert best_attempt([cut, whole]) == 1
    assert best_attempt([whole, cut]) == 0


def test_code_that_parses_beats_code_that_does_not_even_when_cut() -> None:
    # A cycle that closed the fence right after the stub must not win over one cut safely.
    cut = attempt(accepted=False, passed=0, stop="no_safe_beam", clean=False)
    broken = attempt(accepted=False, passed=0, clean=False, code="def f():\n    pass\n```")
    assert best_attempt([cut, broken]) == 0
    assert best_attempt([broken, cut]) == 1


def test_a_crash_on_a_model_test_counts_only_where_the_task_has_no_check_of_its_own() -> None:
    crash = CheckResult("f(None) == 0", "model", "error", error="TypeError: boom", line=1)
    own = CheckResult("f(1) == 2", "example", "passed")
    assert crashes([crash], "x = None + 1\n") == [crash]
    assert crashes([own, crash], "x = None + 1\n") == []


def test_an_exception_the_code_raises_on_purpose_is_an_answer_not_a_crash() -> None:
    code = "def f(xs):\n    if len(xs) % 2:\n        raise ValueError('odd')\n    return 0\n"
    deliberate = CheckResult("f([1]) == 0", "model", "error", error="ValueError: odd", line=3)
    endless = CheckResult("f([0, 0]) == 1", "model", "timeout", error="ran out of fuel")
    assert crashes([deliberate, endless], code) == [endless]


def test_code_that_differs_in_comments_and_layout_only_is_the_same_answer() -> None:
    one = "def f(x):\n    # double it\n    return x*2\n"
    other = "def f(x):\n    # twice x\n    return (x * 2)\n"
    assert normalised(one) == normalised(other)
    assert normalised(one) != normalised("def f(x):\n    return x * 3\n")
    assert normalised("def f(:\n   ") == "def f(:"  # unparsable code is compared as text


def test_renaming_a_variable_does_not_make_an_answer_new() -> None:
    one = "def f(xs):\n    sorted_list = sorted(xs)\n    return sorted_list[0]\n"
    other = "def f(values):\n    sortedList = sorted(values)\n    return sortedList[0]\n"
    assert normalised(one) == normalised(other)
    assert normalised(one) != normalised("def f(xs):\n    s = sorted(xs)\n    return s[-1]\n")
    # what the code calls is part of the answer, not a name it binds
    assert normalised("def f(xs):\n    return min(xs)\n") != normalised(
        "def f(xs):\n    return max(xs)\n"
    )
