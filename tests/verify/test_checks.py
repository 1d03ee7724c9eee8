"""Check and Suite: origins, concatenation and their JSON form."""

from __future__ import annotations

import json

import pytest

from verify.checks import UNJUDGED, Check, Suite, beyond_sandbox, join_setups, judged_own

ADD = Check("assert add(2, 3) == 5", "example", "add(2, 3) == 5")
EMPTY = Check("test_empty()", "user", "test_empty")
SPEC = Check("assert add(a=1, b=2) == 3", "spec", "add(a=1, b=2) == 3")
MODEL = Check("assert add(0, 0) == 0", "model", "add(0, 0) == 0")


def test_a_check_survives_json() -> None:
    assert Check.from_dict(json.loads(json.dumps(ADD.to_dict()))) == ADD


def test_a_check_of_an_unknown_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown check origin 'oracle'"):
        Check.from_dict({"source": "assert f()", "origin": "oracle", "label": "f()"})


def test_a_suite_survives_json() -> None:
    suite = Suite((ADD, EMPTY), setup="import math\n")
    assert Suite.from_dict(json.loads(json.dumps(suite.to_dict()))) == suite


def test_sources_are_the_checks_sources_in_order() -> None:
    assert Suite((ADD, EMPTY)).sources == ["assert add(2, 3) == 5", "test_empty()"]


def test_of_keeps_the_checks_of_the_given_origins_and_the_setup() -> None:
    suite = Suite((ADD, EMPTY, SPEC, MODEL), setup="import math\n")
    assert suite.of("example", "spec") == Suite((ADD, SPEC), setup="import math\n")


def test_of_with_no_matching_origin_is_empty() -> None:
    assert Suite((ADD,)).of("user").checks == ()


def test_adding_concatenates_in_order() -> None:
    assert (Suite((ADD,)) + Suite((EMPTY, SPEC))).checks == (ADD, EMPTY, SPEC)


def test_adding_drops_a_source_already_present_keeping_the_first() -> None:
    same_source = Check(ADD.source, "model", "written again")
    assert (Suite((ADD,)) + Suite((same_source, EMPTY))).checks == (ADD, EMPTY)


def test_adding_joins_the_setups_in_order() -> None:
    total = Suite(setup="import math\n") + Suite(setup="def helper():\n    return 1\n")
    assert total.setup == "import math\n\ndef helper():\n    return 1\n"


def test_adding_keeps_a_setup_both_suites_share_once() -> None:
    assert (Suite(setup="import math\n") + Suite(setup="import math")).setup == "import math\n"


def test_adding_an_empty_suite_changes_nothing() -> None:
    suite = Suite((ADD, EMPTY), setup="import math\n")
    assert suite + Suite() == suite


@pytest.mark.parametrize("setups", [(), ("",), ("", "  \n")])
def test_join_setups_of_nothing_is_empty(setups: tuple[str, ...]) -> None:
    assert join_setups(*setups) == ""


@pytest.mark.parametrize(
    "error",
    [
        "ModuleNotFoundError: No module named 'yaml' (line 1)",
        "FileNotFoundError: [Errno 44] No such file or directory: 'config.yaml'",
        "OSError: [Errno 58] wasi does not support processes.",
        "PermissionError: [Errno 2] denied",
        "AttributeError: module '_socket' has no attribute 'getaddrinfo'",
        "AttributeError: module 'os' has no attribute 'system'",
        "ImportError: cannot import name 'system' from 'os' (unknown location)",
    ],
)
def test_what_the_sandbox_withholds_judges_nothing(error: str) -> None:
    assert beyond_sandbox(error)


@pytest.mark.parametrize(
    "error",
    [
        "NameError: name 'g' is not defined",
        "ZeroDivisionError: division by zero",
        "AttributeError: module 'math' has no attribute 'tau2'",
        "AttributeError: 'list' object has no attribute 'push'",
        "AttributeError: module 'numpy' has no attribute 'system'",
        "ImportError: cannot import name 'floor2' from 'math' (unknown location)",
        "ValueError: OSError in the message does not count",
        "",
    ],
)
def test_a_mistake_of_the_code_is_a_verdict(error: str) -> None:
    assert not beyond_sandbox(error)


def test_only_the_tasks_own_checks_the_sandbox_could_judge_count() -> None:
    checks = [
        {"origin": "example", "outcome": "passed"},
        {"origin": "user", "outcome": UNJUDGED},
        {"origin": "spec", "outcome": "failed"},
        {"origin": "model", "outcome": "passed"},
    ]
    assert judged_own(checks) == [checks[0], checks[2]]
