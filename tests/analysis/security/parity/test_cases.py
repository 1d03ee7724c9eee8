"""Every case of the parity corpus (``benchmarks/parity_corpus``): the verifier reports
exactly the findings the case gives, with the rules mapped to the case's bandit id."""

from __future__ import annotations

import pytest

from analysis.security import loaded_registry, scan
from benchmarks.parity_corpus import corpus
from benchmarks.parity_corpus.cases import Case, Expected

CASES = [(bandit_id, item) for bandit_id, cases in corpus().items() for item in cases]


def verifier_findings(bandit_id: str, code: str) -> set[Expected]:
    """The verifier's findings on ``code`` with the rules mapped to ``bandit_id``."""
    rules = loaded_registry().bandit_equivalents()[bandit_id]
    return {(issue.line, issue.id, issue.severity) for issue in scan(code) if issue.id in rules}


@pytest.mark.parametrize(
    ("bandit_id", "item"), CASES, ids=[f"{bandit_id}-{item.name}" for bandit_id, item in CASES]
)
def test_the_verifier_reports_what_the_case_says(bandit_id: str, item: Case) -> None:
    assert verifier_findings(bandit_id, item.code) == set(item.verifier)
