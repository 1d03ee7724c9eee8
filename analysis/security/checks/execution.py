"""Code execution reached indirectly: computed imports and ``getattr`` on dangerous names."""

from __future__ import annotations

import ast

from analysis.security.context import Context, argument, callee, constant
from analysis.security.registry import check
from analysis.security.rules import COMPUTED_IMPORT, DANGEROUS_DYNAMIC_IMPORT, HIDDEN_DANGEROUS_CALL
from analysis.security.tables import DANGEROUS_MODULES, HIDDEN_CALL_TARGETS

IMPORT_FUNCTIONS = frozenset({"importlib.import_module", "__import__", "importlib.__import__"})


@check(ast.Call, COMPUTED_IMPORT)
def computed_import(ctx: Context[ast.Call]) -> bool:
    """``importlib.import_module(name)`` where ``name`` is not a literal."""
    name = argument(ctx.node, 0, "name")
    return (
        callee(ctx) in IMPORT_FUNCTIONS and name is not None and not isinstance(constant(name), str)
    )


@check(ast.Call, DANGEROUS_DYNAMIC_IMPORT)
def dangerous_dynamic_import(ctx: Context[ast.Call]) -> bool:
    """``importlib.import_module("subprocess")`` and the like."""
    name = constant(argument(ctx.node, 0, "name"))
    return (
        callee(ctx) in IMPORT_FUNCTIONS
        and isinstance(name, str)
        and name.split(".", 1)[0] in DANGEROUS_MODULES
    )


@check(ast.Call, HIDDEN_DANGEROUS_CALL)
def hidden_dangerous_call(ctx: Context[ast.Call]) -> bool:
    """``getattr(os, "system")``: resolves to a dangerous function through a string."""
    if callee(ctx) != "getattr" or len(ctx.node.args) < 2:
        return False
    return ctx.qualname(ctx.node) in HIDDEN_CALL_TARGETS
