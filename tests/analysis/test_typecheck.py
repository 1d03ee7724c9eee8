"""pyright runner: real pyright on small programs, batched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis.findings import Finding, Severity
from analysis.tools import ToolMissingError
from analysis.typecheck import typecheck, typecheck_many

GOOD = "def add(a: int, b: int) -> int:\n    return a + b\n"
WRONG_RETURN = "def name(n: int) -> str:\n    return n\n"
BROKEN = "x = 1\ndef g(:\n"
MISSING_IMPORT = "import no_such_module_here\n"


@pytest.fixture(scope="module")
def batch() -> list[list[Finding]]:
    """One pyright run over four programs."""
    return typecheck_many([GOOD, WRONG_RETURN, BROKEN, MISSING_IMPORT])


def test_batch_keeps_the_order_of_the_codes(batch: list[list[Finding]]) -> None:
    assert len(batch) == 4
    assert batch[0] == []
    assert {f.rule for f in batch[1]} == {"reportReturnType"}
    assert {f.rule for f in batch[3]} == {"reportMissingImports"}


def test_type_error_is_an_error_on_its_1_based_line(batch: list[list[Finding]]) -> None:
    (finding,) = batch[1]
    assert (finding.tool, finding.severity, finding.line, finding.col) == (
        "pyright",
        Severity.ERROR,
        2,
        12,
    )


def test_syntax_error_is_an_error_with_the_syntax_rule(batch: list[list[Finding]]) -> None:
    assert batch[2]
    assert all(f.severity is Severity.ERROR and f.rule == "syntax" for f in batch[2])
    assert batch[2][0].line == 2


def test_missing_import_is_a_warning(batch: list[list[Finding]]) -> None:
    (finding,) = batch[3]
    assert (finding.severity, finding.line) == (Severity.WARNING, 1)


def test_installed_imports_resolve_against_the_running_interpreter() -> None:
    assert typecheck("import numpy\nimport pydantic\n") == []


def test_single_code_convenience_matches_the_batch() -> None:
    assert typecheck(WRONG_RETURN) == typecheck_many([WRONG_RETURN])[0]


def test_empty_batch_runs_nothing() -> None:
    assert typecheck_many([]) == []


def test_missing_pyright_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolMissingError, match=r"pyright is not installed.*make setup"):
        typecheck(GOOD)
