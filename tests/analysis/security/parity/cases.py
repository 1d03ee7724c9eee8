"""The parity corpus: per bandit test id, snippets with what each tool reports.

Every ``test_b*.py`` module beside this one holds the cases of one bandit id
(``BANDIT_ID``, ``CASES``). A case gives the lines bandit 1.9.4 reports that id
on (any severity) and the findings the verifier must report with the rules
mapped to that id: line, rule and severity. Where the two differ, the case
name says why. ``python -m benchmarks.security --parts parity`` runs both
tools on the same snippets as files.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from analysis.findings import Severity
from analysis.security import loaded_registry, scan

CRITICAL, ERROR, WARNING, INFO = (
    Severity.CRITICAL,
    Severity.ERROR,
    Severity.WARNING,
    Severity.INFO,
)

Expected = tuple[int, str, Severity]


@dataclass(frozen=True)
class Case:
    """One snippet: its name, code, the verifier's expected findings and bandit's lines."""

    name: str
    code: str
    verifier: tuple[Expected, ...]
    bandit: tuple[int, ...]


def case(
    name: str,
    *lines: str,
    verifier: tuple[Expected, ...] = (),
    bandit: tuple[int, ...] = (),
) -> Case:
    """A case whose code is ``lines`` (line 1 first), ending in a newline."""
    return Case(name, "\n".join(lines) + "\n", verifier, bandit)


def verifier_findings(bandit_id: str, code: str) -> set[Expected]:
    """The verifier's findings on ``code`` with the rules mapped to ``bandit_id``."""
    rules = loaded_registry().bandit_equivalents()[bandit_id]
    return {(issue.line, issue.id, issue.severity) for issue in scan(code) if issue.id in rules}


def assert_verifier(bandit_id: str, item: Case) -> None:
    """The verifier reports exactly the case's findings for this bandit id."""
    assert verifier_findings(bandit_id, item.code) == set(item.verifier)


def case_id(item: Case) -> str:
    """A readable pytest id."""
    return item.name


def modules() -> list[ModuleType]:
    """Every per-id case module of the corpus, in id order."""
    package = importlib.import_module(__name__.rpartition(".")[0])
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("test_b")
    )
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


def corpus() -> dict[str, tuple[Case, ...]]:
    """The cases of every bandit id, by id."""
    return {module.BANDIT_ID: module.CASES for module in modules()}
