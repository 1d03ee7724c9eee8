"""The HumanEval benchmark: argument parsing, and one real greedy run on the default model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness.data import humaneval_problems
from benchmarks.harness.report import summarise_mode
from benchmarks.harness.sandbox import check_program, run_program
from benchmarks.humaneval import (
    budget_of,
    loop_cycles,
    loop_notes,
    main,
    parse_sweep,
    samples_notes,
)
from config.errors import UserError


def test_a_sweep_list_parses_numbers_and_auto() -> None:
    assert parse_sweep("0.5, 1,auto") == [0.5, 1.0, "auto"]


@pytest.mark.parametrize("text", ["-1", "high", "1,,2"])
def test_a_bad_sweep_entry_is_a_user_error(text: str) -> None:
    with pytest.raises(UserError, match="--sweep"):
        parse_sweep(text)


def test_an_unknown_mode_is_one_error_line_before_any_model_is_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--mode", "greedy,fast", "--model", str(tmp_path / "none.gguf"), "--out", str(tmp_path)]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "error: --mode: unknown mode 'fast'; choose from greedy, beams, sabs, loop, samples\n"
    )


def test_loop_notes_carry_a_finished_runs_verdict_into_later_cycles() -> None:
    records: list[dict[str, Any]] = [
        {"passed": True, "execution": {"status": "passed"}, "cycle_passed": [True],
         "completion": {"output_tokens": 1, "decoded_tokens": 1, "seconds": 1.0,
                        "stop_reason": "stop", "extra": {"cycles": 1, "status": "clean"}}},
        {"passed": True, "execution": {"status": "passed"}, "cycle_passed": [False, True],
         "completion": {"output_tokens": 1, "decoded_tokens": 1, "seconds": 1.0,
                        "stop_reason": "stop", "extra": {"cycles": 2, "status": "clean"}}},
    ]
    notes = loop_notes(summarise_mode("loop", records), records)
    assert "after cycle 1: 1/2; after cycle 2: 2/2" in notes


def _loop_record(problem: str, codes: list[str], passed: list[bool], *, status: str,
                 verdicts: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "problem": problem, "passed": passed[-1], "cycle_passed": passed,
        "completion": {"decoded_tokens": 10 * len(codes), "extra": {
            "cycles": len(codes), "status": status, "cycle_codes": codes,
            "cycle_rules": [["F821"]] * len(codes), "review_verdicts": list(verdicts),
            "feedback": ["undefined name"] * (len(codes) - 1 + (status != "clean"))}},
    }


def test_loop_cycles_count_changed_fixed_and_broken_answers_per_step() -> None:
    records = [
        _loop_record("fixed", ["a", "b"], [False, True], status="clean", verdicts=("defects",)),
        _loop_record("broken", ["a", "c"], [True, False], status="clean",
                     verdicts=("no_defects",)),
        _loop_record("same", ["a", "a", "a"], [False, False, False], status="max_cycles",
                     verdicts=("defects", "unclear")),
        _loop_record("clean_wrong", ["a"], [False], status="clean"),
    ]
    table, facts = loop_cycles(records)
    assert facts["steps"] == [
        {"step": "1 -> 2", "went_on": 3, "changed": 2, "became_correct": 1, "became_wrong": 1},
        {"step": "2 -> 3", "went_on": 1, "changed": 0, "became_correct": 0, "became_wrong": 0},
    ]
    assert (facts["wrong"], facts["wrong_clean_at_once"]) == (3, 1)
    assert facts["wrong_review_verdicts"] == {"no_defects": 1, "defects": 1, "unclear": 1}
    assert [r["problem"] for r in facts["wrong_reviews"]] == ["broken", "same"]
    assert "| 1 -> 2 | 3 | 2 | 1 | 1 |" in table


def test_the_samples_budget_is_the_loops_mean_decoded_tokens() -> None:
    records = [_loop_record("a", ["x"], [True], status="clean"),
               _loop_record("b", ["x", "y"], [False, True], status="clean")]
    assert budget_of(records) == 15
    with pytest.raises(UserError, match="budget"):
        budget_of([])


def test_samples_notes_say_when_a_passing_draw_was_not_picked() -> None:
    records = [{"passed": False, "sample_passed": [False, True],
                "completion": {"decoded_tokens": 90, "extra": {"samples": 2, "chosen": 0}}}]
    assert "a passing draw existed 1/1 (picked 0)" in samples_notes(records, 80)


@pytest.fixture(scope="module")
def greedy_run(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real greedy run of the first HumanEval problem; the folder of its results."""
    out = tmp_path_factory.mktemp("humaneval")
    code = main([
        "--mode", "greedy", "--limit", "1", "--model", str(model_path), "--max-tokens", "48",
        "--out", str(out), "--cache", str(out / "cache"), "--quiet",
    ])
    assert code == 0
    return out


@pytest.mark.model
def test_a_greedy_run_scores_the_first_problem_by_its_tests(greedy_run: Path) -> None:
    document = json.loads((greedy_run / "humaneval.json").read_text())
    (record,) = document["records"]["greedy"]
    problem = humaneval_problems(1)[0]
    assert record["problem"] == problem.task_id == "HumanEval/0"
    rerun = run_program(
        check_program(record["completion"]["code"], problem.test, problem.entry_point)
    )
    assert record["execution"]["status"] == rerun.status
    assert record["passed"] is rerun.passed


@pytest.mark.model
def test_a_greedy_completion_continues_the_problems_prompt(greedy_run: Path) -> None:
    document = json.loads((greedy_run / "humaneval.json").read_text())
    completion = document["records"]["greedy"][0]["completion"]
    assert completion["code"].startswith(humaneval_problems(1)[0].prompt)
    assert 0 < completion["output_tokens"] <= 48


@pytest.mark.model
def test_a_greedy_run_alone_has_nothing_to_pair_or_profile(greedy_run: Path) -> None:
    document = json.loads((greedy_run / "humaneval.json").read_text())
    assert document["analysis"] == {"paired": [], "branching": []}


@pytest.mark.model
def test_a_greedy_run_writes_its_table_and_plot(greedy_run: Path) -> None:
    assert "| greedy | 1 |" in (greedy_run / "humaneval.md").read_text()
    assert (greedy_run / "humaneval.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.model
def test_a_greedy_run_caches_the_problem(greedy_run: Path) -> None:
    assert list((greedy_run / "cache").rglob("HumanEval_0.json"))
