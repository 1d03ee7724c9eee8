"""Completeness checker: a table of small programs with their rules and scores."""

from __future__ import annotations

import json

import pytest

from analysis.completeness import RULES, InvalidStubError, check_completeness
from analysis.findings import Severity
from config.errors import UserError

ABSTRACT_BASE = """\
from abc import ABC, abstractmethod


class Shape(ABC):
    @abstractmethod
    def area(self, scale):
        ...

    @abstractmethod
    def name(self, short):
        raise NotImplementedError
"""

ABSTRACT_BY_METACLASS = """\
import abc


class Shape(metaclass=abc.ABCMeta):
    @abc.abstractmethod
    def area(self, scale):
        pass
"""

ABSTRACT_BY_INHERITANCE = """\
from abc import ABC, abstractmethod


class Base(ABC):
    pass


class Shape(Base):
    @abstractmethod
    def area(self, scale):
        pass
"""

ABSTRACT_METHOD_IN_PLAIN_CLASS = """\
from abc import abstractmethod


class Shape:
    @abstractmethod
    def area(self, scale):
        pass
"""

PROTOCOL = """\
from typing import Protocol


class Sized(Protocol):
    def size(self, unit: str) -> int: ...
"""

OVERLOADS = """\
from typing import overload


@overload
def double(x: int) -> int: ...
@overload
def double(x: str) -> str: ...
def double(x):
    return x * 2
"""

PASS_IN_EXCEPT = """\
def to_int(text):
    try:
        return int(text)
    except ValueError:
        pass
    return 0
"""

# (name, code, expected rule ids in source order, expected score)
TABLE: list[tuple[str, str, list[str], float]] = [
    ("real one-line function", "def add(a, b):\n    return a + b\n", [], 1.0),
    ("constant without parameters", "def answer():\n    return 42\n", [], 1.0),
    ("pass in an except block", PASS_IN_EXCEPT, [], 1.0),
    ("empty exception class", "class Oops(Exception):\n    pass\n", [], 1.0),
    ("abstract method of an ABC", ABSTRACT_BASE, [], 1.0),
    ("abstract method under ABCMeta", ABSTRACT_BY_METACLASS, [], 1.0),
    ("abstract method of an ABC's subclass", ABSTRACT_BY_INHERITANCE, [], 1.0),
    ("abstract method in a plain class", ABSTRACT_METHOD_IN_PLAIN_CLASS, ["CP105"], 0.0),
    ("protocol member", PROTOCOL, [], 1.0),
    ("overload signatures", OVERLOADS, [], 1.0),
    ("method using only self", "class C:\n    def size(self):\n        return 0\n", [], 1.0),
    ("dunder with imposed signature", "class C:\n    def __exit__(self, a, b, c):\n        return False\n", [], 1.0),
    ("parameters declared unused", "def handler(_signum, _frame):\n    return None\n", [], 1.0),
    ("pass body with a parameter", "def parse(s):\n    pass\n", ["CP105"], 0.0),
    ("ellipsis body with a parameter", "def parse(s):\n    ...\n", ["CP105"], 0.0),
    ("docstring-only body", 'def parse(s):\n    """Parse s."""\n', ["CP105"], 0.0),
    ("constant return ignoring parameters", "def is_prime(n):\n    return True\n", ["CP105"], 0.0),
    ("negative constant return", "def find(xs, x):\n    return -1\n", ["CP105"], 0.0),
    ("empty-list return", "def evens(xs):\n    return []\n", ["CP105"], 0.0),
    ("static method ignoring its parameter", "class C:\n    @staticmethod\n    def f(x):\n        return 0\n", ["CP105"], 0.0),
    ("pass body without parameters", "def main():\n    pass\n", ["CP103"], 0.7),
    ("method pass body", "class C:\n    def run(self):\n        pass\n", ["CP103"], 0.7),
    ("NotImplementedError body", "def parse(s):\n    raise NotImplementedError\n", ["CP103"], 0.7),
    ("NotImplementedError call body", "def parse(s):\n    raise NotImplementedError('later')\n", ["CP103"], 0.7),
    ("NotImplementedError in a branch", "def f(x):\n    if x > 0:\n        return x\n    raise NotImplementedError\n", ["CP104"], 0.7),
    ("TODO comment", "def f(x):\n    # TODO: handle negatives\n    return x * 2\n", ["CP101"], 0.7),
    ("FIXME and XXX comments", "x = 1  # FIXME\ny = 2  # XXX\n", ["CP101", "CP101"], 0.4),
    ("your-code-here comment", "def f(x):\n    # Your code here\n    return x\n", ["CP101"], 0.7),
    ("lower-case todo is a word, not a marker", "# things todo later are listed elsewhere\nx = 1\n", [], 1.0),
    ("TODO in a docstring", 'def f(x):\n    """TODO: document."""\n    return x\n', ["CP102"], 0.7),
    ("TODO in a data string", "LABEL = 'TODO'\n", [], 1.0),
    ("syntax error in the middle", "def f(x):\n    return x +\n\ny = 1\n", ["CP001"], 0.0),
    ("unclosed bracket", "values = [1, 2,\n", ["CP002"], 0.0),
    ("unclosed bracket in the middle", "x = (1,\ny = 2\nz = 3\n", ["CP002"], 0.0),
    ("unclosed docstring", 'def f(x):\n    """Return x\n', ["CP002"], 0.0),
    ("trailing incomplete expression", "y = 1\nz = y +\n", ["CP003"], 0.0),
    ("trailing block header", "def f(x):\n    if x:\n", ["CP003"], 0.0),
    ("trailing signature with a comment after it", "def f(x):\n    # compute\n", ["CP003"], 0.0),
    # what is left open is what the syntax tracker says (analysis.syntax.unclosed)
    ("unclosed single-quoted string at the end", 'x = "abc', ["CP002"], 0.0),
    ("backslash continuation at the end", "total = a + \\", ["CP002"], 0.0),
    ("open bracket after a bad dedent", "def f():\n        x = 1\n    y = (\n", ["CP002"], 0.0),
    ("stray closing bracket in the middle", "x = 1)\ny = 2\n", ["CP001"], 0.0),
    ("mismatched bracket in the middle", "x = [1, (2, 3]\ny = 2\n", ["CP001"], 0.0),
]


@pytest.mark.parametrize(("code", "rules", "score"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_table(code: str, rules: list[str], score: float) -> None:
    report = check_completeness(code)
    assert [f.rule for f in report.findings] == rules
    assert report.score == pytest.approx(score)


STUB = '''\
from typing import List
import math


def top_k(values: List[int], k: int = 3) -> List[int]:
    """Return the k largest values."""
'''

COMPLETED = STUB + "    return sorted(values, reverse=True)[:k]\n"


def test_completed_stub_is_clean() -> None:
    report = check_completeness(COMPLETED, stub=STUB)
    assert (report.findings, report.score) == ((), 1.0)


def test_changing_a_default_keeps_the_contract() -> None:
    code = COMPLETED.replace("k: int = 3", "k: int = 5")
    assert check_completeness(code, stub=STUB).findings == ()


def test_missing_stub_function_is_an_error_costing_0_4() -> None:
    code = "from typing import List\nimport math\n\n\ndef largest(values):\n    return max(values)\n"
    report = check_completeness(code, stub=STUB)
    assert [(f.rule, f.severity) for f in report.findings] == [("CP201", Severity.ERROR)]
    assert "top_k" in report.findings[0].message
    assert report.score == pytest.approx(0.6)


def test_changed_parameters_break_the_contract() -> None:
    code = COMPLETED.replace("values: List[int], k: int = 3", "values, k=3")
    report = check_completeness(code, stub=STUB)
    assert [(f.rule, f.severity, f.line) for f in report.findings] == [("CP202", Severity.ERROR, 5)]
    assert report.score == pytest.approx(0.6)


def test_changed_return_annotation_breaks_the_contract() -> None:
    code = COMPLETED.replace(") -> List[int]:", ") -> list:")
    assert [f.rule for f in check_completeness(code, stub=STUB).findings] == ["CP202"]


def test_dropped_import_is_a_warning_costing_0_2() -> None:
    code = COMPLETED.replace("import math\n", "")
    report = check_completeness(code, stub=STUB)
    assert [(f.rule, f.severity) for f in report.findings] == [("CP203", Severity.WARNING)]
    assert "import math" in report.findings[0].message
    assert report.score == pytest.approx(0.8)


def test_import_moved_into_the_function_is_kept() -> None:
    code = COMPLETED.replace("import math\n", "").replace(
        '    """Return the k largest values."""\n',
        '    """Return the k largest values."""\n    import math\n',
    )
    assert check_completeness(code, stub=STUB).findings == ()


def test_stub_methods_are_part_of_the_contract() -> None:
    stub = "class Stack:\n    def push(self, item: int) -> None:\n        ...\n"
    code = "class Stack:\n    def pop(self) -> int:\n        return 1\n"
    report = check_completeness(code, stub=stub)
    assert [f.rule for f in report.findings] == ["CP201"]
    assert "Stack.push" in report.findings[0].message


def test_penalties_add_up_and_clamp_at_zero() -> None:
    code = "def run():\n    # TODO\n    # FIXME\n    pass\n"
    report = check_completeness(code, stub="def other(x: int) -> int:\n    ...\n")
    assert sorted(f.rule for f in report.findings) == ["CP101", "CP101", "CP103", "CP201"]
    assert report.score == 0.0


def test_stopped_on_max_tokens_is_an_error_even_when_the_code_parses() -> None:
    report = check_completeness("def f(x):\n    return x\n", stopped_on_max_tokens=True)
    assert [(f.rule, f.severity, f.line) for f in report.findings] == [("CP004", Severity.ERROR, 2)]


def test_cut_off_code_reports_both_the_limit_and_the_open_bracket() -> None:
    report = check_completeness("def f(x):\n    return (x +\n", stopped_on_max_tokens=True)
    assert sorted(f.rule for f in report.findings) == ["CP002", "CP004"]
    assert report.score == 0.0


def test_null_byte_is_a_syntax_error_not_a_crash() -> None:
    report = check_completeness("x = 1\0\n")
    assert ([f.rule for f in report.findings], report.score) == (["CP001"], 0.0)


def test_syntax_error_position_is_1_based() -> None:
    (finding,) = check_completeness("y = 1\nz = y +\n").findings
    assert (finding.line, finding.col) == (2, 8)


def test_placeholder_comment_in_complete_code_is_only_a_warning() -> None:
    (finding,) = check_completeness("def f(x):\n    return x  # TODO tidy\n").findings
    assert (finding.tool, finding.severity, finding.line, finding.col) == (
        "completeness",
        Severity.WARNING,
        2,
        15,
    )


def test_invalid_stub_is_a_user_error() -> None:
    with pytest.raises(InvalidStubError, match="stub is not valid Python"):
        check_completeness("x = 1\n", stub="def f(:\n")
    assert issubclass(InvalidStubError, UserError)


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))


def test_report_is_json_serialisable() -> None:
    report = check_completeness("def parse(s):\n    pass\n")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["score"] == 0.0
    assert data["findings"][0]["rule"] == "CP105"
    assert data["findings"][0]["severity"] == "ERROR"
