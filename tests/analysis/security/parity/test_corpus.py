"""The parity corpus as a whole: it covers every mapped bandit id, bandit really reports
what the cases say, and no snippet (or prefix of one) crashes the verifier."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.security import analyze_incremental, loaded_registry, scan
from analysis.security.incremental import ParseState
from benchmarks.harness.bandit import BanditIssue, run_bandit_files
from benchmarks.parity_corpus import corpus
from benchmarks.security_parity import compare, corpus_files

CORPUS = corpus()
UNPARSABLE = (
    "def broken(:\n    eval(x)\n",
    "import os\nos.system(cmd\nx = 1\n",
    "class A:\nreturn 1\n",
    "\x00\x01 eval(",
    "f'{'\n",
    "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x",
    "x = = 1\n" * 3,
    "def f():\n\tif x:\n        pass\n",
    "[" * 1000,
    "x = '''unterminated\nimport pickle\npickle.loads(data)\n",
)


def test_every_mapped_bandit_id_has_a_case_module() -> None:
    assert set(CORPUS) == set(loaded_registry().bandit_equivalents())


@pytest.mark.parametrize("bandit_id", sorted(CORPUS))
def test_every_id_has_positive_and_negative_cases(bandit_id: str) -> None:
    cases = CORPUS[bandit_id]
    assert any(item.verifier and item.bandit for item in cases)
    assert any(not item.verifier and not item.bandit for item in cases)


def test_bandit_reports_what_the_cases_say() -> None:
    assert importlib.util.find_spec("bandit") is not None, (
        "bandit is not installed: it comes with the bench extra, which `make setup` installs"
    )
    files = corpus_files()
    reports = run_bandit_files(files)
    wrong = []
    for bandit_id, cases in CORPUS.items():
        for index, item in enumerate(cases):
            name = f"{bandit_id}_{index}"
            lines = sorted({i.line for i in reports[name].issues if i.test_id == bandit_id})
            if lines != sorted(item.bandit):
                wrong.append(f"{name} {item.name}: bandit reports {lines}, case says {item.bandit}")
    assert wrong == []


@pytest.mark.parametrize("code", UNPARSABLE)
def test_code_that_does_not_parse_never_crashes(code: str) -> None:
    assert scan(code) == []
    result = analyze_incremental(code)
    assert result.parse_state is not ParseState.PARSE_OK
    assert all(issue.id != "SC000" for issue in result.issues)


def test_every_prefix_of_every_snippet_is_analysed_without_crashing() -> None:
    analysed = 0
    for code in corpus_files().values():
        for end in range(0, len(code) + 1, 3):
            result = analyze_incremental(code[:end])
            assert all(issue.id != "SC000" for issue in result.issues), code[:end]
            analysed += 1
    assert analysed > 1000


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("()[]{}:=.,'\"\\\n\t #fx0123eval import os")), max_size=80
    )
)
def test_arbitrary_text_never_crashes(code: str) -> None:
    result = analyze_incremental(code)
    assert all(issue.id != "SC000" for issue in result.issues)
    assert all(issue.id != "SC000" for issue in scan(code))


def test_compare_matches_lines_in_the_range_bandit_reports_and_lists_misses_both_ways() -> None:
    code = "import subprocess\nsubprocess.run(\n    cmd,\n    shell=True,\n)\neval(x)\n"
    bandit = {
        "a": [
            BanditIssue("B602", "HIGH", "HIGH", 4, (2, 3, 4, 5)),
            BanditIssue("B113", "MEDIUM", "LOW", 6, (6,)),
            BanditIssue("B101", "LOW", "HIGH", 1, (1,)),
        ]
    }
    result = compare(bandit, {"a": scan(code)})
    assert result["by_id"]["B602"]["found_medium_high"] == 1
    assert result["by_id"]["B602"]["severities"] == {"HIGH->CRITICAL": 1}
    assert result["by_id"]["B113"]["missed"] == ["a:6"]
    assert result["verifier_only_by_rule"]["SC101"] == ["a:6"]
    assert result["share"] == 0.5
