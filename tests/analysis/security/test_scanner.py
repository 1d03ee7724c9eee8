"""The scan as a whole: isolation of broken checks, ordering, findings, syntax errors."""

from __future__ import annotations

import ast

from analysis.findings import Severity
from analysis.security import scan, scan_findings, scan_tree
from analysis.security.context import Context
from analysis.security.registry import Check, Registry, Rule, loaded_registry


def _broken(ctx: Context[ast.Call]) -> list[Rule]:
    raise RuntimeError("boom")


def _registry_with_broken_check() -> Registry:
    registry = Registry()
    for check in loaded_registry().checks:
        registry.add(check)
    registry.add(Check("broken", (ast.Call,), (), _broken))
    return registry


def test_broken_check_becomes_internal_error_and_scan_continues() -> None:
    tree = ast.parse("eval(x)")
    issues = scan_tree(tree, registry=_registry_with_broken_check())
    assert {i.id for i in issues} == {"SC000", "SC101"}


def test_internal_error_names_the_check() -> None:
    issues = scan_tree(ast.parse("len(x)"), registry=_registry_with_broken_check())
    assert "broken: RuntimeError: boom" in issues[0].message


def test_issues_come_in_source_order() -> None:
    issues = scan("import pickle\nexec(a)\neval(b)")
    assert [(i.line, i.id) for i in issues] == [(1, "SC402"), (2, "SC102"), (3, "SC101")]


def test_position_is_line_and_one_based_column() -> None:
    issue = scan("x = 1\nif x:\n    eval(y)")[0]
    assert (issue.line, issue.col) == (3, 5)


def test_scan_findings_maps_to_common_findings() -> None:
    finding = scan_findings("import os\nos.system(cmd)")[0]
    assert (finding.tool, finding.rule, finding.severity) == (
        "security",
        "SC205",
        Severity.CRITICAL,
    )


def test_finding_message_carries_cwe_and_confidence() -> None:
    assert "CWE-78, high confidence" in scan_findings("import os\nos.system(c)")[0].message


def test_syntax_error_yields_no_security_findings() -> None:
    assert scan_findings("eval(x)\ndef broken(:\n") == []


def test_too_deep_code_keeps_issues_found_so_far_and_says_so() -> None:
    code = "eval(a)\nx = " + "-" * 900 + "1"
    assert {i.id for i in scan(code)} == {"SC101", "SC000"}


def test_humaneval_style_code_is_clean() -> None:
    code = (
        "import shutil\n\n"
        "def sort_words(words: list[str]) -> list[str]:\n"
        '    """Sort and dedupe."""\n'
        "    width = shutil.get_terminal_size().columns\n"
        "    return sorted({w.replace('-', '') for w in words if len(w) < width})\n"
    )
    assert all(i.severity < Severity.ERROR for i in scan(code))
