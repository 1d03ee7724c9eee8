"""ruff runner: real ruff on small programs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis.findings import Severity
from analysis.lint import lint, severity_of
from analysis.tools import ToolFailedError, ToolMissingError

SELECT = ("E9", "F", "B", "PLE")


def test_clean_code_has_no_findings() -> None:
    code = "def add(a: int, b: int) -> int:\n    return a + b\n"
    assert lint(code, SELECT) == []


def test_undefined_name_is_an_error_at_its_1_based_position() -> None:
    findings = lint("def f(x):\n    return y\n", SELECT)
    assert [(f.rule, f.severity, f.line, f.col) for f in findings] == [
        ("F821", Severity.ERROR, 2, 12)
    ]


def test_unused_import_is_a_warning() -> None:
    findings = lint("import os\n", SELECT)
    assert [(f.tool, f.rule, f.severity, f.line) for f in findings] == [
        ("ruff", "F401", Severity.WARNING, 1)
    ]


def test_syntax_error_is_reported_as_invalid_syntax_error() -> None:
    findings = lint("x = 1\ndef g(:\n    pass\n", SELECT)
    assert findings
    assert {f.rule for f in findings} == {"invalid-syntax"}
    assert all(f.severity is Severity.ERROR for f in findings)
    assert findings[0].line == 2


def test_only_selected_rules_are_reported() -> None:
    assert lint("import os\n", ("E9",)) == []


def test_empty_selection_checks_nothing() -> None:
    assert lint("def f(:\n", ()) == []


def test_user_configuration_does_not_leak_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ruff.toml").write_text('[lint]\nignore = ["F401"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [f.rule for f in lint("import os\n", SELECT)] == ["F401"]


def test_findings_come_in_source_order() -> None:
    code = "import sys\nimport os\n\ndef f():\n    return q\n"
    lines = [f.line for f in lint(code, SELECT)]
    assert lines == sorted(lines)
    assert lines == [1, 2, 5]


@pytest.mark.parametrize(
    ("rule", "severity"),
    [
        ("invalid-syntax", Severity.ERROR),
        ("E999", Severity.ERROR),
        ("F821", Severity.ERROR),
        ("F706", Severity.ERROR),
        ("PLE0101", Severity.ERROR),
        ("F401", Severity.WARNING),
        ("B006", Severity.WARNING),
        ("E501", Severity.INFO),
        ("SIM108", Severity.INFO),
    ],
)
def test_severity_mapping(rule: str, severity: Severity) -> None:
    assert severity_of(rule) is severity


def test_unknown_rule_is_a_tool_failure() -> None:
    with pytest.raises(ToolFailedError, match="ruff failed with exit code 2"):
        lint("x = 1\n", ("NOPE999",))


def test_missing_ruff_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissingError, match=r"ruff is not installed.*make setup"):
        lint("x = 1\n", SELECT)
