"""Which security warnings send code back to the next cycle: those the task did not ask for."""

from __future__ import annotations

from analysis.security import Policy, scan_findings
from nodes.static_test import unasked_security_warnings

CODE = (
    "import hashlib\nimport requests\n"
    "def f(text):\n"
    "    digest = hashlib.md5(text.encode()).hexdigest()\n"
    "    return requests.get(digest)\n"
)


def test_a_warning_the_task_did_not_ask_for_goes_back() -> None:
    findings = list(scan_findings(CODE, Policy()))
    assert {f.rule for f in findings} == {"SC501", "SC602"}
    unasked = unasked_security_warnings(findings, CODE, "fetch the page of a text's hash")
    assert {f.rule for f in unasked} == {"SC501", "SC602"}


def test_a_construct_the_task_names_was_asked_for() -> None:
    findings = list(scan_findings(CODE, Policy()))
    unasked = unasked_security_warnings(findings, CODE, "Return the MD5 hash of text, then fetch it")
    assert [f.rule for f in unasked] == ["SC602"]


def test_errors_and_other_tools_are_not_its_business() -> None:
    code = "def f(s):\n    return eval(s)\n"
    findings = list(scan_findings(code, Policy()))
    assert findings and all(f.severity.name != "WARNING" for f in findings)
    assert unasked_security_warnings(findings, code, "evaluate s") == []
