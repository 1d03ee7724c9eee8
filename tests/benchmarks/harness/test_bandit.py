"""bandit as the benchmarks run it, on real code."""

from __future__ import annotations

from benchmarks.harness.bandit import BanditIssue, run_bandit

SHELL = "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def test_a_shell_call_is_reported_at_high_severity() -> None:
    report = run_bandit(SHELL)
    assert any(i.test_id == "B602" and i.severity == "HIGH" and i.line == 4 for i in report.issues)


def test_safe_code_has_no_issues() -> None:
    report = run_bandit("def add(a, b):\n    return a + b\n")
    assert report.parsed
    assert report.issues == ()


def test_code_that_does_not_parse_is_marked_unparsed() -> None:
    assert not run_bandit("def add(a, b:\n").parsed


def test_severities_compare_in_order() -> None:
    issue = BanditIssue("B403", "MEDIUM", "HIGH", 1)
    assert issue.at_least("LOW")
    assert issue.at_least("MEDIUM")
    assert not issue.at_least("HIGH")
