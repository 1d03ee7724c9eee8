"""A user's test file read as a suite: asserts, test functions, set-up and what is refused."""

from __future__ import annotations

import pytest

from config.errors import UsageError
from verify.checks import Check, Suite
from verify.user_tests import load_tests

ADD = "def add(a, b):\n    return a + b\n"
WRONG_ADD = "def add(a, b):\n    return a - b\n"

SCRIPT = """from solution import add

assert add(2, 3) == 5
assert add(-1, 1) == 0, "opposites cancel"
"""

PYTEST_FILE = '''"""Tests of add."""
import math

import pytest

from solution import add


def close(a, b):
    return math.isclose(a, b)


def test_small():
    assert add(2, 3) == 5


def test_floats():
    assert close(add(0.1, 0.2), 0.3)


@pytest.mark.parametrize("a, b, total", [(1, 2, 3), (0, 0, 0)])
def test_table(a, b, total):
    assert add(a, b) == total
'''

UNITTEST_FILE = """import unittest

from solution import add


class TestAdd(unittest.TestCase):
    def setUp(self):
        self.base = 10

    def test_base(self):
        self.assertEqual(add(self.base, 1), 11)

    def helper(self):
        return 1


if __name__ == "__main__":
    unittest.main()
"""


def run(suite: Suite, code: str) -> None:
    """Run the code, the set-up and every check in one namespace, as the sandbox does."""
    namespace: dict[str, object] = {"__name__": "candidate"}
    exec(code, namespace)
    exec(suite.setup, namespace)
    for source in suite.sources:
        exec(source, namespace)


def test_module_level_asserts_are_checks_in_order() -> None:
    suite = load_tests(SCRIPT, name="tests.py")
    assert suite.checks == (
        Check("assert add(2, 3) == 5", "user", "add(2, 3) == 5"),
        Check('assert add(-1, 1) == 0, "opposites cancel"', "user", "add(-1, 1) == 0"),
    )


def test_an_import_of_the_code_under_test_is_dropped() -> None:
    assert load_tests(SCRIPT, name="tests.py").setup == ""


def test_test_functions_are_calls_and_their_definitions_setup() -> None:
    suite = load_tests(PYTEST_FILE, name="test_add.py")
    assert [c.source for c in suite.checks] == [
        "test_small()",
        "test_floats()",
        "test_table(a=1, b=2, total=3)",
        "test_table(a=0, b=0, total=0)",
    ]


def test_parametrized_cases_are_labelled_like_pytest() -> None:
    suite = load_tests(PYTEST_FILE, name="test_add.py")
    assert [c.label for c in suite.checks][2:] == ["test_table[1-2-3]", "test_table[0-0-0]"]


def test_setup_keeps_stdlib_imports_and_helpers_in_file_order() -> None:
    setup = load_tests(PYTEST_FILE, name="test_add.py").setup
    assert setup.index("import math") < setup.index("def close") < setup.index("def test_table")


def test_setup_drops_pytest_and_its_marks() -> None:
    assert "pytest" not in load_tests(PYTEST_FILE, name="test_add.py").setup


def test_a_pytest_file_passes_on_right_code() -> None:
    run(load_tests(PYTEST_FILE, name="test_add.py"), ADD)


def test_a_pytest_file_fails_on_wrong_code() -> None:
    with pytest.raises(AssertionError):
        run(load_tests(PYTEST_FILE, name="test_add.py"), WRONG_ADD)


def test_unittest_methods_run_through_debug() -> None:
    suite = load_tests(UNITTEST_FILE, name="tests.py")
    assert suite.checks == (Check("TestAdd('test_base').debug()", "user", "TestAdd.test_base"),)


def test_a_unittest_file_passes_on_right_code() -> None:
    run(load_tests(UNITTEST_FILE, name="tests.py"), ADD)


def test_a_unittest_file_fails_on_wrong_code() -> None:
    with pytest.raises(AssertionError):
        run(load_tests(UNITTEST_FILE, name="tests.py"), WRONG_ADD)


def test_the_main_block_runner_is_dropped() -> None:
    assert "unittest.main()" not in load_tests(UNITTEST_FILE, name="tests.py").setup


def test_a_pytest_class_is_instantiated_per_test() -> None:
    source = "class TestAdd:\n    def test_one(self):\n        assert add(0, 1) == 1\n"
    suite = load_tests(source, name="tests.py")
    assert suite.sources == ["TestAdd().test_one()"]


def test_asserts_in_the_main_block_are_kept_and_its_calls_dropped() -> None:
    source = (
        "def test_a():\n    assert add(1, 1) == 2\n\n"
        'if __name__ == "__main__":\n    test_a()\n    assert add(2, 2) == 4\n    print("ok")\n'
    )
    suite = load_tests(source, name="tests.py")
    assert suite.sources == ["test_a()", "assert add(2, 2) == 4"]


def test_a_statement_between_asserts_runs_before_the_next_assert() -> None:
    source = "result = add(1, 2)\nassert result == 3\nresult = add(2, 2)\nassert result == 4\n"
    suite = load_tests(source, name="tests.py")
    assert suite.sources == [
        "result = add(1, 2)\nassert result == 3",
        "result = add(2, 2)\nassert result == 4",
    ]


def test_a_statement_no_assert_follows_joins_the_setup() -> None:
    source = "def test_a():\n    assert add(*PAIR) == 3\n\nPAIR = (1, 2)\n"
    suite = load_tests(source, name="tests.py")
    assert suite.setup.endswith("PAIR = (1, 2)\n")


def test_a_loop_of_asserts_is_one_check() -> None:
    source = (
        "CASES = [(1, 2, 3), (2, 2, 4)]\nfor a, b, total in CASES:\n    assert add(a, b) == total\n"
    )
    suite = load_tests(source, name="tests.py")
    assert suite.checks == (
        Check(
            "CASES = [(1, 2, 3), (2, 2, 4)]\nfor a, b, total in CASES:\n    assert add(a, b) == total",
            "user",
            "line 2: for a, b, total in CASES: ...",
        ),
    )


def test_a_module_level_call_of_a_test_is_dropped() -> None:
    source = "def test_a():\n    assert add(1, 1) == 2\n\ntest_a()\n"
    assert load_tests(source, name="tests.py").setup == "def test_a():\n    assert add(1, 1) == 2\n"


def test_a_skipped_test_is_left_out() -> None:
    source = (
        "import pytest\n\n@pytest.mark.skip(reason='later')\ndef test_later():\n    assert False\n\n"
        "def test_now():\n    assert add(1, 1) == 2\n"
    )
    assert load_tests(source, name="tests.py").sources == ["test_now()"]


def test_a_test_defined_twice_is_one_check() -> None:
    source = (
        "def test_a():\n    assert add(1, 1) == 3\n\ndef test_a():\n    assert add(1, 1) == 2\n"
    )
    assert load_tests(source, name="tests.py").sources == ["test_a()"]


def test_other_pytest_marks_are_ignored() -> None:
    source = "import pytest\n\n@pytest.mark.slow\ndef test_big():\n    assert add(1, 1) == 2\n"
    assert load_tests(source, name="tests.py").setup == (
        "def test_big():\n    assert add(1, 1) == 2\n"
    )


def test_parametrize_accepts_pytest_param() -> None:
    source = (
        "from pytest import mark, param\n\n"
        "@mark.parametrize('n', [param(1, id='one'), 2])\ndef test_n(n):\n    assert add(n, 0) == n\n"
    )
    assert load_tests(source, name="tests.py").sources == ["test_n(n=1)", "test_n(n=2)"]


def test_a_decorator_that_is_no_pytest_mark_is_kept() -> None:
    source = (
        "import functools\n\n@functools.lru_cache\ndef test_cached():\n    assert add(1, 1) == 2\n"
    )
    assert "@functools.lru_cache\ndef test_cached" in load_tests(source, name="tests.py").setup


IMPORTS = [
    pytest.param("from solution import *\n", "", id="star"),
    pytest.param("from solution import add as plus\n", "plus = add\n", id="renamed"),
    pytest.param("from .solution import add\n", "", id="relative"),
    pytest.param("from __future__ import annotations\n", "", id="future"),
    pytest.param(
        "from collections import Counter\n", "from collections import Counter\n", id="stdlib"
    ),
    pytest.param("import os.path\n", "import os.path\n", id="stdlib-module"),
    pytest.param(
        "import solution as s\n",
        "s = __import__('types').SimpleNamespace(**globals())\n",
        id="module-under-test",
    ),
]


@pytest.mark.parametrize(("imports", "setup"), IMPORTS)
def test_imports(imports: str, setup: str) -> None:
    assert load_tests(f"{imports}assert add(1, 2) == 3\n", name="tests.py").setup == setup


def test_an_imported_module_under_test_reaches_the_code() -> None:
    run(load_tests("import solution\nassert solution.add(1, 2) == 3\n", name="tests.py"), ADD)


ERRORS = [
    pytest.param("assert add(1, 2) == 3\ndef broken(:\n", "tests.py: line 2: ", id="syntax"),
    pytest.param("import math\nX = 1\n", "tests.py: no tests found", id="no-tests"),
    pytest.param(
        "def test_tmp(tmp_path):\n    assert tmp_path\n",
        "tests.py: line 1: test_tmp takes tmp_path: pytest fixtures are not supported",
        id="fixture",
    ),
    pytest.param(
        "async def test_io():\n    assert True\n",
        "tests.py: line 1: async test test_io is not supported",
        id="async",
    ),
    pytest.param(
        "import pytest\n\ndef test_raises():\n    with pytest.raises(ValueError):\n        add(1)\n",
        "tests.py: line 4: this use of pytest is not supported",
        id="pytest-raises",
    ),
    pytest.param(
        "from pytest import approx\nassert add(0.1, 0.2) == approx(0.3)\n",
        "tests.py: line 1: pytest's approx is not supported",
        id="pytest-import",
    ),
    pytest.param(
        "import pytest\n\n@pytest.mark.parametrize('a', CASES)\ndef test_a(a):\n    assert a\n",
        "tests.py: line 3: parametrize values must be written as a list",
        id="parametrize-computed",
    ),
    pytest.param(
        "import pytest\n\n@pytest.mark.parametrize('a, b', [(1, 2), (3,)])\n"
        "def test_a(a, b):\n    assert a\n",
        "tests.py: line 3: a parametrize case must give 2 values",
        id="parametrize-short-case",
    ),
]


@pytest.mark.parametrize(("source", "message"), ERRORS)
def test_load_tests_refuses_with_one_line(source: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        load_tests(source, name="tests.py")
    assert raised.value.message.startswith(message)
    assert "\n" not in raised.value.message
