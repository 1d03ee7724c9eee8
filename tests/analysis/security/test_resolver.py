"""Alias tracking: the dangerous thing is found whatever name it goes by."""

from __future__ import annotations

import ast

import pytest

from analysis.security import scan
from analysis.security.resolver import NameResolver


def _ids(code: str) -> set[str]:
    return {issue.id for issue in scan(code)}


@pytest.mark.parametrize(
    ("code", "rule_id"),
    [
        ("from subprocess import Popen as X\nX(cmd, shell=True)", "SC207"),
        ("import os as o\no.system(cmd)", "SC205"),
        ("from pathlib import Path as P\nP(p).unlink()", "SC302"),
        ("import os\nrun = os.system\nrun(cmd)", "SC205"),
        ("import os.path\nos.system(cmd)", "SC205"),
        ("from os import system as sh\nsh(cmd)", "SC205"),
        ("import pickle as pk\nloader = pk\nloader.loads(blob)", "SC401"),
        ("from pathlib import Path\np = Path(name) / 'x'\np.unlink()", "SC302"),
        ("import os\nos.environ.get('HOME')", "SC209"),
        ("import builtins\nbuiltins.eval(text)", "SC101"),
        ("import importlib\nimportlib.import_module('os').system(cmd)", "SC205"),
        ("import os\ngetattr(os, 'system')(cmd)", "SC205"),
        ("from Crypto.Cipher import *\nc = DES.new(key)", "SC503"),
        ("import os\ndef f(cmd):\n    return os.system(cmd)", "SC205"),
    ],
)
def test_alias_is_resolved(code: str, rule_id: str) -> None:
    assert rule_id in _ids(code)


def test_user_defined_eval_is_not_flagged() -> None:
    assert _ids("def eval(x):\n    return x\n\nprint(eval('1'))") == set()


def test_function_defined_after_use_still_shadows_builtin() -> None:
    assert _ids("def run(s):\n    return eval(s)\n\ndef eval(s):\n    return s") == set()


def test_method_called_eval_is_not_flagged() -> None:
    code = "class Model:\n    def eval(self):\n        return self\n\nModel().eval()\nmodel.eval()"
    assert _ids(code) == set()


def test_builtin_eval_inside_method_is_flagged() -> None:
    code = "class A:\n    def eval(self, s):\n        return eval(s)"
    assert "SC101" in _ids(code)


def test_parameter_shadowing_open_is_not_flagged() -> None:
    assert "SC301" not in _ids("def f(open):\n    return open(path, 'w')")


def test_rebinding_to_something_else_clears_the_alias() -> None:
    assert "SC205" not in _ids("import os\nrun = os.system\nrun = print\nrun(cmd)")


def test_qualname_of_call_chain() -> None:
    resolver = NameResolver()
    resolver.bind_import(ast.parse("from pathlib import Path as P").body[0])  # type: ignore[arg-type]
    expr = ast.parse("P(x).parent.unlink", mode="eval").body
    assert resolver.qualname(expr) == "pathlib.Path().parent.unlink"
