"""Bound names, and the standard-library imports that code forgot."""

from __future__ import annotations

import ast

import pytest

from analysis.names import bound_names, missing_stdlib_imports, with_stdlib_imports


def test_bound_names_takes_every_kind_of_binding() -> None:
    code = (
        "import os.path as p, json\nfrom re import sub\nclass C: pass\n"
        "def f(a, *b, c=1, **d):\n    global g\n    x = [y for y in a]\n"
        "    try: pass\n    except E as err: pass\n"
    )
    assert bound_names(ast.parse(code)) == {
        "p", "json", "sub", "C", "f", "a", "b", "c", "d", "g", "x", "y", "err"
    }


def test_bound_names_cannot_tell_behind_a_star_import() -> None:
    assert bound_names(ast.parse("from os import *\n")) is None


@pytest.mark.parametrize(
    ("code", "imports"),
    [
        ("def f(s):\n    return json.loads(s)\n", ["json"]),
        ("def f(p):\n    return os.path.join(p, 'x') + str(ast.literal_eval(p))\n", ["os", "ast"]),
        ("def f(u):\n    return urllib.parse.quote(u)\n", ["urllib.parse"]),
        ("def f(x):\n    return xml.etree.ElementTree.fromstring(x)\n", ["xml.etree.ElementTree"]),
        ("def f(s):\n    return json.loads(s) or json.dumps(s)\n", ["json"]),
    ],
)
def test_a_standard_module_used_but_never_imported_is_found(code: str, imports: list[str]) -> None:
    assert missing_stdlib_imports(code) == imports


@pytest.mark.parametrize(
    "code",
    [
        "import json\ndef f(s):\n    return json.loads(s)\n",  # imported
        "def f(json):\n    return json.loads(json)\n",  # a parameter of that name
        "def f():\n    return code.split()\n",  # a variable that shares a module's name
        "def f():\n    return json.no_such_function(1)\n",  # the module lacks the attribute
        "def f():\n    return json\n",  # not used as a module
        "def f(s):\n    return yaml.safe_load(s)\n",  # not in the standard library
        "from helpers import *\ndef f(s):\n    return json.loads(s)\n",  # star import
        "def f(s):\n    return json.loads(s\n",  # does not parse
        "def f():\n    antigravity.fly()\n",  # importing it would open a browser
    ],
)
def test_nothing_is_added_where_it_would_be_wrong_or_unsure(code: str) -> None:
    assert missing_stdlib_imports(code) == []
    assert with_stdlib_imports(code) == code


def test_the_import_goes_after_the_last_top_level_import() -> None:
    code = "import base64\nfrom flask import Flask\n\ndef f(s):\n    return json.loads(s)\n"
    assert missing_stdlib_imports(code) == ["json"]
    assert with_stdlib_imports(code) == (
        "import base64\nfrom flask import Flask\nimport json\n\ndef f(s):\n    return json.loads(s)\n"
    )


def test_the_import_goes_after_a_module_docstring_or_at_the_top() -> None:
    assert with_stdlib_imports('"""Doc."""\ndef f(): return math.sqrt(2)') == (
        '"""Doc."""\nimport math\ndef f(): return math.sqrt(2)'
    )
    assert with_stdlib_imports("x = math.pi\n") == "import math\nx = math.pi\n"
