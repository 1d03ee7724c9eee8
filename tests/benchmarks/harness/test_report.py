"""pass@1 arithmetic, summaries and the files the reports write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness.report import (
    ModeSummary,
    failure_kind,
    failures_table,
    markdown_table,
    modes_table,
    pass_at_1,
    plot_modes,
    plot_sweep,
    slim,
    summarise_mode,
    write_json,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _record(
    passed: bool, *, tokens: int = 10, seconds: float = 2.0, status: str = "", error: str = ""
) -> dict[str, Any]:
    return {
        "passed": passed,
        "execution": {"status": status or ("passed" if passed else "failed"), "error_tail": error},
        "completion": {
            "output_tokens": tokens,
            "decoded_tokens": 2 * tokens,
            "seconds": seconds,
            "stop_reason": "stop",
        },
    }


def test_pass_at_1_is_the_share_of_solved_problems() -> None:
    assert pass_at_1([True, False, True, False]) == 0.5


def test_pass_at_1_of_no_problems_is_zero() -> None:
    assert pass_at_1([]) == 0.0


def test_a_summary_counts_passes_and_timeouts() -> None:
    summary = summarise_mode(
        "greedy", [_record(True), _record(False), _record(False, status="timeout")]
    )
    assert (summary.problems, summary.passed, summary.timeouts) == (3, 1, 1)
    assert summary.pass_at_1 == pytest.approx(1 / 3)


def test_a_summary_averages_per_problem_rates() -> None:
    summary = summarise_mode(
        "beams", [_record(True, tokens=10, seconds=1.0), _record(False, tokens=10, seconds=5.0)]
    )
    assert summary.tokens_per_s == pytest.approx((10.0 + 2.0) / 2)
    assert summary.decoded_tokens_per_s == pytest.approx((20.0 + 4.0) / 2)
    assert summary.seconds_per_problem == pytest.approx(3.0)


def test_a_problem_that_took_no_time_counts_as_zero_rate() -> None:
    assert summarise_mode("greedy", [_record(True, seconds=0.0)]).tokens_per_s == 0.0


def test_the_markdown_table_has_a_header_rule_and_one_row_per_entry() -> None:
    lines = markdown_table(["a", "b"], [(1, 2), (3, 4)]).splitlines()
    assert lines == ["| a | b |", "|---|---|", "| 1 | 2 |", "| 3 | 4 |"]


def test_the_modes_table_shows_pass_at_1_as_a_percentage() -> None:
    summary = summarise_mode("sabs", [_record(True), _record(False)])
    assert "| sabs | 2 | 1 | 50.0% |" in modes_table([summary])


def test_write_json_writes_a_readable_document(tmp_path: Path) -> None:
    summary = summarise_mode("greedy", [_record(True)])
    path = tmp_path / "out" / "humaneval.json"
    write_json(path, {"summaries": [summary.to_dict()]})
    assert json.loads(path.read_text())["summaries"][0]["pass_at_1"] == 1.0


def _summaries() -> list[ModeSummary]:
    return [
        summarise_mode(mode, [_record(mode != "greedy"), _record(False)])
        for mode in ("greedy", "beams", "sabs", "loop")
    ]


def test_the_modes_plot_is_a_png(tmp_path: Path) -> None:
    path = tmp_path / "humaneval.png"
    plot_modes(path, _summaries(), title="test")
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_the_sweep_plot_is_a_png(tmp_path: Path) -> None:
    path = tmp_path / "threshold_sweep.png"
    plot_sweep(path, _summaries(), title="test")
    assert path.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("Traceback (most recent call last):\n  ...\nAssertionError\n", "AssertionError"),
        ('  File "<stdin>", line 3\nSyntaxError: invalid syntax\n', "SyntaxError"),
        ("NameError: name 'x' is not defined", "NameError"),
        ("exit status 3", "other"),
        ("", "other"),
    ],
)
def test_a_failure_kind_is_the_exception_on_the_last_line(error: str, kind: str) -> None:
    assert failure_kind({"status": "failed", "error_tail": error}) == kind


def test_a_timeout_is_its_own_failure_kind() -> None:
    assert failure_kind({"status": "timeout", "error_tail": "AssertionError"}) == "timeout"


def test_the_failures_table_counts_each_kind() -> None:
    summary = summarise_mode("greedy", [
        _record(False, error="AssertionError"),
        _record(False, error="SyntaxError: invalid syntax"),
        _record(False, error="IndentationError: expected an indented block"),
        _record(False, error="NameError: name 'x' is not defined"),
        _record(False, status="timeout"),
        _record(True),
    ])
    assert "| greedy | 1 | 2 | 1 | 1 | 0 |" in failures_table([summary])


def test_slim_drops_branch_points_and_keeps_the_rest() -> None:
    record = _record(True)
    record["completion"]["extra"] = {"branches": 3, "branch_points": [{"step": 1}]}
    slimmed = slim(record)
    assert slimmed["completion"]["extra"] == {"branches": 3}
    assert record["completion"]["extra"]["branch_points"] == [{"step": 1}]
