"""The report of a run, built from its state alone: the cycles cut at the token limit."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from config.settings import Settings
from orchestrator.command import CommandContext
from orchestrator.rendering import print_report
from orchestrator.report import CutOff, RunReport, report_from_state

CUT_FINDING = {
    "line": 4,
    "col": 0,
    "tool": "completeness",
    "rule": "CP004",
    "severity": "ERROR",
    "message": "generation stopped on the token limit; the code is likely cut off",
}
SETTINGS = {"decoding": {"max_tokens": 256}, "model": {"n_ctx": 4096}}


def attempt(
    cycle: int, *, cut: bool, tokens: int = 120, prompt_tokens: int = 300
) -> dict[str, Any]:
    """A judged cycle as the run state holds it; a cut one carries CP004 and is not clean."""
    return {
        "cycle": cycle,
        "code": f"def f(xs):\n    return sorted(xs)  # cycle {cycle}\n",
        "stop_reason": "max_tokens" if cut else "eos",
        "decoding_stats": {"generated_tokens": tokens, "prompt_tokens": prompt_tokens},
        "sabs_stats": {},
        "findings": [CUT_FINDING] if cut else [],
        "completeness": 1.0,  # CP004 costs no completeness: the score cannot tell a cut
        "clean": not cut,
        "accepted": not cut,
        "tool_seconds": {},
        "generate_seconds": 1.0,
        "checks": [],
    }


def report_of(*attempts: dict[str, Any], settings: dict[str, Any] | None = None) -> RunReport:
    values = {
        "attempts": list(attempts),
        "status": "limit",
        "settings": SETTINGS if settings is None else settings,
    }
    return report_from_state("r1", values, 2.0)


def test_a_cycle_cut_before_the_returned_one_is_reported_with_a_limit_to_try() -> None:
    report = report_of(attempt(1, cut=True, tokens=256), attempt(2, cut=False))
    assert (report.cycle, report.findings) == (2, [])
    assert report.cut_off == CutOff(
        cycles=(1,), limit=256, returned=False, suggested_max_tokens=512, suggested_n_ctx=None
    )


def test_a_cut_returned_code_is_marked_returned() -> None:
    report = report_of(attempt(1, cut=True, tokens=256))
    assert report.cut_off is not None
    assert (report.cut_off.cycles, report.cut_off.returned) == ((1,), True)


def test_a_run_with_no_cut_has_no_cut_off() -> None:
    report = report_of(attempt(1, cut=False), attempt(2, cut=False))
    assert report.cut_off is None
    assert report.to_dict()["cut_off"] is None


def test_every_cut_cycle_is_named_oldest_first() -> None:
    report = report_of(attempt(1, cut=True), attempt(2, cut=False), attempt(3, cut=True))
    assert report.cut_off is not None
    assert report.cut_off.cycles == (1, 3)


def test_a_larger_limit_given_on_resume_is_read_from_the_generation() -> None:
    report = report_of(attempt(1, cut=False), attempt(2, cut=True, tokens=512))
    assert report.cut_off is not None
    assert (report.cut_off.limit, report.cut_off.suggested_max_tokens) == (512, 1024)


def test_the_limit_the_run_started_with_counts_when_the_generation_reports_fewer() -> None:
    """The chosen candidate may be a cut beam while its generation's best one ended earlier."""
    report = report_of(attempt(1, cut=True, tokens=90))
    assert report.cut_off is not None
    assert report.cut_off.limit == 256


def test_a_context_is_suggested_when_the_longest_prompt_and_the_limit_do_not_fit() -> None:
    settings = {"decoding": {"max_tokens": 256}, "model": {"n_ctx": 1024}}
    report = report_of(
        attempt(1, cut=True, tokens=256, prompt_tokens=400),
        attempt(2, cut=False, prompt_tokens=700),
        settings=settings,
    )
    assert report.cut_off is not None
    assert report.cut_off.suggested_n_ctx == 2048  # 700 + 512, up to a multiple of 1024
    assert report.cut_off.advice == "--max-tokens 512 --n-ctx 2048"


def test_the_suggestion_never_exceeds_the_largest_limit_the_settings_accept() -> None:
    settings = {"decoding": {"max_tokens": 32_768}, "model": {"n_ctx": 1_048_576}}
    report = report_of(attempt(1, cut=True, tokens=32_768), settings=settings)
    assert report.cut_off is not None
    assert (report.cut_off.suggested_max_tokens, report.cut_off.advice) == (32_768, "")


def test_a_run_from_before_settings_were_stored_takes_the_limit_from_its_generation() -> None:
    report = report_of(attempt(1, cut=True, tokens=128), settings={})
    assert report.cut_off is not None
    assert (report.cut_off.limit, report.cut_off.suggested_n_ctx) == (128, None)


def test_the_json_document_carries_the_cut_off_and_each_cycles_stop_reason() -> None:
    document = report_of(attempt(1, cut=True, tokens=256), attempt(2, cut=False)).to_dict()
    json.dumps(document)
    assert document["cut_off"] == {
        "cycles": [1],
        "limit": 256,
        "returned": False,
        "suggested_max_tokens": 512,
        "suggested_n_ctx": None,
    }
    assert [s["stop_reason"] for s in document["stats"]] == ["max_tokens", "eos"]


def printed(report: RunReport, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The summary ``print_report`` writes to stderr when stdout is a pipe."""
    ctx = CommandContext(
        settings=Settings(),
        console=Console(file=io.StringIO(), highlight=False, markup=False),
        json_output=False,
        quiet=False,
        data_dir=tmp_path / "data",
    )
    print_report(report, ctx, out=None)
    return capsys.readouterr().err


def test_the_summary_names_the_cut_cycle_beside_the_returned_codes_completeness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = report_of(attempt(1, cut=True, tokens=256), attempt(2, cut=False))
    summary = printed(report, tmp_path, capsys)
    assert (
        "cut off: cycle 1 stopped at the 256-token limit (--max-tokens); the returned code "
        "(cycle 2) ended on its own; try --max-tokens 512 (twice the limit: how much more "
        "the code needed is unknown)"
    ) in summary
    assert "completeness 1.00 (cycle 2) · 2 cycle(s)" in summary


def test_the_summary_says_a_cut_returned_code_is_likely_unfinished_whatever_its_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = printed(report_of(attempt(1, cut=True, tokens=256)), tmp_path, capsys)
    assert "likely cut off" in summary  # CP004 in the findings table
    assert "the returned code (cycle 1) is likely unfinished, whatever its completeness" in summary
    assert "completeness 1.00 (cycle 1, cut off)" in summary


def test_the_summary_of_a_run_with_no_cut_says_nothing_of_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = printed(report_of(attempt(1, cut=False)), tmp_path, capsys)
    assert "cut off" not in summary
    assert "completeness 1.00 (cycle 1) · 1 cycle(s)" in summary


def test_a_refused_run_says_why_in_its_status_line_and_json_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = {
        **attempt(1, cut=False),
        "stop_reason": "no_safe_beam",
        "sabs_stats": {"refusal": "SC205 os.system (CWE-78)"},
    }
    report = report_from_state("r1", {"attempts": [refused], "status": "refused"}, 2.0)
    assert report.exit_code == 1
    assert report.to_dict()["refusal"] == "SC205 os.system (CWE-78)"
    assert "status refused: SC205 os.system (CWE-78) ·" in printed(report, tmp_path, capsys)
    assert report_of(attempt(1, cut=False)).to_dict()["refusal"] is None
