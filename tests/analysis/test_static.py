"""The static test as a whole: real ruff, real pyright, the security verifier, completeness."""

from __future__ import annotations

import json

import pytest

import analysis.static
from analysis.findings import Finding, Severity
from analysis.static import StaticReport, run_static_tests, run_static_tests_many
from config.settings import ToolsSettings


def _tools(**values: object) -> ToolsSettings:
    return ToolsSettings.model_validate(values)


ALL_TOOLS = _tools()
RUFF_AND_COMPLETENESS = _tools(enable=("ruff", "completeness"))

GOOD = '''\
def add(a: int, b: int) -> int:
    """Return the sum of a and b."""
    return a + b
'''

BAD = '''\
import os
import subprocess


def run(command: str) -> int:
    # TODO: validate the command
    return subprocess.call(command, shell=True)


def label(n: int) -> str:
    return n
'''


@pytest.fixture(scope="module")
def bad_report() -> StaticReport:
    """All four tools over code with something for each."""
    return run_static_tests(BAD, tools=ALL_TOOLS)


def test_all_tools_report_on_bad_code(bad_report: StaticReport) -> None:
    by_tool = {(f.tool, f.rule) for f in bad_report.findings}
    assert ("ruff", "F401") in by_tool
    assert ("pyright", "reportReturnType") in by_tool
    assert ("completeness", "CP101") in by_tool
    assert not bad_report.clean


def test_security_findings_are_included_as_the_verifier_gives_them(
    bad_report: StaticReport,
) -> None:
    from analysis.security import scan_findings

    expected = list(scan_findings(BAD, None))
    assert expected
    assert set(expected) <= set(bad_report.findings)


def test_wall_time_is_recorded_for_every_active_tool(bad_report: StaticReport) -> None:
    assert set(bad_report.seconds) == {"ruff", "pyright", "security", "completeness"}
    assert all(seconds > 0 for seconds in bad_report.seconds.values())


def test_findings_are_sorted(bad_report: StaticReport) -> None:
    assert list(bad_report.findings) == sorted(bad_report.findings)
    assert bad_report.findings[0].line == 1


def test_good_code_is_clean_with_all_tools() -> None:
    report = run_static_tests(GOOD, tools=ALL_TOOLS)
    assert (report.findings, report.completeness, report.clean) == ((), 1.0, True)


def test_a_stub_that_every_linter_passes_is_not_clean() -> None:
    report = run_static_tests("def parse(s):\n    pass\n", tools=ALL_TOOLS)
    assert [f.tool for f in report.findings] == ["completeness"]
    assert report.completeness == 0.0
    assert not report.clean


def test_low_completeness_without_errors_is_not_clean() -> None:
    code = "def double(x):\n    # TODO: check the type\n    # FIXME: overflow\n    return x * 2\n"
    report = run_static_tests(code, tools=RUFF_AND_COMPLETENESS)
    assert all(f.severity < Severity.ERROR for f in report.findings)
    assert report.completeness == pytest.approx(0.4)
    assert not report.clean


def test_threshold_is_configurable() -> None:
    code = "def double(x):\n    # TODO: check the type\n    # FIXME: overflow\n    return x * 2\n"
    lenient = _tools(enable=("ruff", "completeness"), completeness_threshold=0.3)
    assert run_static_tests(code, tools=lenient).clean


def test_warnings_alone_keep_code_clean() -> None:
    report = run_static_tests("import os\n", tools=RUFF_AND_COMPLETENESS)
    assert [(f.rule, f.severity) for f in report.findings] == [("F401", Severity.WARNING)]
    assert report.clean


def test_disabled_tools_do_not_run() -> None:
    tools = _tools(disabled=("pyright", "security"))
    report = run_static_tests(BAD, tools=tools)
    assert set(report.seconds) == {"ruff", "completeness"}
    assert {f.tool for f in report.findings} == {"ruff", "completeness"}


def test_completeness_off_scores_1() -> None:
    report = run_static_tests("def parse(s):\n    pass\n", tools=_tools(enable=("ruff",)))
    assert (report.findings, report.completeness, report.clean) == ((), 1.0, True)


def test_stub_and_token_limit_reach_the_completeness_checker() -> None:
    stub = "def top(xs: list[int]) -> int:\n    ...\n"
    report = run_static_tests(
        "def best(xs):\n    return max(xs)\n",
        tools=RUFF_AND_COMPLETENESS,
        stub=stub,
        stopped_on_max_tokens=True,
    )
    assert sorted(f.rule for f in report.findings) == ["CP004", "CP201"]


def test_syntax_error_is_reported_by_every_parser() -> None:
    report = run_static_tests("def f(x):\n    return (x +\n", tools=ALL_TOOLS)
    tools_with_errors = {f.tool for f in report.findings if f.severity >= Severity.ERROR}
    assert {"ruff", "pyright", "completeness"} <= tools_with_errors
    assert not report.clean


def test_batch_keeps_order_and_runs_pyright_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = analysis.static.typecheck_many

    def counting(codes: list[str]) -> list[list[Finding]]:
        calls.append(len(codes))
        return real(codes)

    monkeypatch.setattr(analysis.static, "typecheck_many", counting)
    codes = [GOOD, "def label(n: int) -> str:\n    return n\n", "import os\n"]
    tools = _tools(enable=("ruff", "pyright", "completeness"))
    reports = run_static_tests_many(codes, tools=tools)
    assert calls == [3]
    assert [r.clean for r in reports] == [True, False, True]
    assert [{f.rule for f in r.findings} for r in reports] == [
        set(),
        {"reportReturnType"},
        {"F401"},
    ]
    assert all(r.seconds["pyright"] > 0 for r in reports)


def test_batch_takes_one_stub_per_code() -> None:
    stub = "def top(xs: list[int]) -> int:\n    ...\n"
    reports = run_static_tests_many(
        [GOOD, GOOD],
        tools=RUFF_AND_COMPLETENESS,
        stubs=[None, stub],
        stopped_on_max_tokens=[True, False],
    )
    assert [[f.rule for f in r.findings] for r in reports] == [["CP004"], ["CP201"]]


def test_batch_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="one entry per code"):
        run_static_tests_many([GOOD, GOOD], tools=RUFF_AND_COMPLETENESS, stubs=[None])


def test_empty_batch_gives_no_reports() -> None:
    assert run_static_tests_many([], tools=ALL_TOOLS) == []


def test_report_round_trips_through_json(bad_report: StaticReport) -> None:
    data = json.loads(json.dumps(bad_report.to_dict()))
    assert data["clean"] is False
    assert data["completeness"] == bad_report.completeness
    assert [Finding.from_dict(f) for f in data["findings"]] == list(bad_report.findings)
    assert set(data["seconds"]) == set(bad_report.seconds)
