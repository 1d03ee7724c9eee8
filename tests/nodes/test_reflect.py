"""Feedback derived from findings: concrete, line-referenced, worst first."""

from __future__ import annotations

from analysis.findings import Finding, Severity
from nodes.ranking import CheckResult
from nodes.reflect import MAX_FEEDBACK_ITEMS, build_feedback, security_evidence

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


def test_failed_examples_come_first_with_what_the_call_returned() -> None:
    checks = [
        CheckResult("f(1) == 2", "example", "passed"),
        CheckResult("f(2) == 5", "example", "failed", expected="5", got="4"),
        CheckResult("f([]) == 0", "user", "error", error="IndexError: list index out of range", line=3),
    ]
    lines = build_feedback([finding(2, "F821", Severity.ERROR)], code=CODE, checks=checks)
    assert lines.splitlines() == [
        "`f(2) == 5` failed: it returned 4, expected 5",
        "`f([]) == 0` raised IndexError: list index out of range at line 3",
        "line 2 (`return y`): ruff F821: F821 message; define or import every name you use",
    ]


def test_a_model_test_is_evidence_only_when_the_code_raised_on_it() -> None:
    checks = [
        CheckResult("f(3) == 9", "model", "failed", expected="9", got="8"),
        CheckResult("f((1, 2)) == 0", "model", "error", error="TypeError: 'tuple' object does not support item assignment", line=2),
    ]
    assert build_feedback([], code=CODE, checks=checks) == (
        "a test: `f((1, 2)) == 0` raised TypeError: 'tuple' object does not support item "
        "assignment at line 2 (`return y`)"
    )


SECURITY_CODE = "import requests\ndef fetch(url):\n    return requests.get(url)\n"


def test_a_security_finding_names_the_safe_spelling() -> None:
    found = Finding(3, 12, "security", "SC602", Severity.WARNING, "no timeout (CWE-400)")
    text = build_feedback([found], code=SECURITY_CODE)
    assert text.endswith("write instead: requests.get(url, timeout=10)")


def test_code_cut_before_an_unsafe_statement_says_what_and_the_safe_way() -> None:
    attempt = {"stop_reason": "no_safe_beam", "sabs_stats": {"refusal": "SC401 pickle.loads (CWE-502)"}}
    assert security_evidence(attempt) == [
        "the code stopped before an unsafe statement (SC401 pickle.loads (CWE-502)); "
        "write it the safe way: json.loads(data) (a data-only format)"
    ]
    assert security_evidence({"stop_reason": "eos", "sabs_stats": {}}) == []


def test_a_construct_kept_out_while_decoding_is_named_with_the_safe_way() -> None:
    attempt = {"stop_reason": "eos", "decoding_stats": {"steered": ["SC101 eval"]}}
    [said] = security_evidence(attempt)
    assert said.startswith("`eval` was kept out as unsafe (SC101); write it the safe way: ")
    assert "ast.parse(text, mode='eval')" in said
