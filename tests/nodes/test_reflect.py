"""Feedback derived from findings: concrete, line-referenced, worst first."""

from __future__ import annotations

from analysis.findings import Finding, Severity
from nodes.reflect import MAX_FEEDBACK_ITEMS, build_feedback

CODE = "def f(x):\n    return y\n"


def finding(line: int, rule: str, severity: Severity, tool: str = "ruff") -> Finding:
    return Finding(
        line=line, col=1, tool=tool, rule=rule, severity=severity, message=f"{rule} message"
    )


def test_feedback_names_line_rule_source_and_advice() -> None:
    text = build_feedback([finding(2, "F821", Severity.ERROR)], code=CODE)
    assert (
        text == "line 2 (`return y`): ruff F821: F821 message; define or import every name you use"
    )


def test_worst_findings_come_first() -> None:
    text = build_feedback(
        [finding(1, "W1", Severity.WARNING), finding(2, "S1", Severity.CRITICAL, tool="security")],
        code=CODE,
    )
    assert text.splitlines()[0].startswith("line 2")


def test_info_findings_are_left_out() -> None:
    assert build_feedback([finding(1, "I1", Severity.INFO)], code=CODE) == ""


def test_long_lists_are_capped_with_a_count() -> None:
    many = [finding(1, f"R{i}", Severity.ERROR) for i in range(MAX_FEEDBACK_ITEMS + 3)]
    lines = build_feedback(many, code=CODE).splitlines()
    assert len(lines) == MAX_FEEDBACK_ITEMS + 1
    assert lines[-1] == "and 3 more finding(s) of lower priority"


def test_whole_file_findings_say_the_code() -> None:
    assert build_feedback(
        [finding(0, "CP001", Severity.ERROR, tool="completeness")], code=CODE
    ).startswith("the code: completeness CP001")


def test_the_same_message_on_one_line_is_said_once() -> None:
    twice = [finding(2, "F821", Severity.ERROR), finding(2, "F821", Severity.ERROR, tool="pyright")]
    assert len(build_feedback(twice, code=CODE).splitlines()) == 1


def test_only_the_first_line_of_a_message_is_kept() -> None:
    long = Finding(line=2, col=1, tool="pyright", rule="X", severity=Severity.ERROR, message="first\n  detail")
    assert build_feedback([long], code=CODE).endswith("pyright X: first")
