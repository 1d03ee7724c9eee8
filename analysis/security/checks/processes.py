"""Process checks that depend on how ``subprocess`` is called."""

from __future__ import annotations

import ast

from analysis.security.context import Context, argument, callee, is_false
from analysis.security.registry import check
from analysis.security.rules import SHELL_COMMAND, SHELL_KEYWORD, SHELL_TRUE, SUBPROCESS_CALL
from analysis.security.tables import DANGEROUS_CALLS, SUBPROCESS_CALLS

_SHELL_FUNCTIONS = frozenset(
    name for entry in DANGEROUS_CALLS if entry.rule is SHELL_COMMAND for name in entry.names
)


def _shell_requested(call: ast.Call) -> bool:
    shell = argument(call, None, "shell")
    return shell is not None and not is_false(shell)


@check(ast.Call, SHELL_TRUE)
def shell_true(ctx: Context[ast.Call]) -> bool:
    """A ``subprocess`` call with ``shell`` set to anything but a literal false."""
    return callee(ctx) in SUBPROCESS_CALLS and _shell_requested(ctx.node)


@check(ast.Call, SUBPROCESS_CALL)
def subprocess_call(ctx: Context[ast.Call]) -> bool:
    """A ``subprocess`` call without a shell (still worth a look at its inputs)."""
    return callee(ctx) in SUBPROCESS_CALLS and not _shell_requested(ctx.node)


@check(ast.Call, SHELL_KEYWORD)
def shell_keyword(ctx: Context[ast.Call]) -> bool:
    """``shell=True`` passed to anything but ``subprocess`` (a wrapper, an alias the
    resolver cannot follow): the command probably reaches a shell."""
    if not any(item.arg == "shell" for item in ctx.node.keywords):
        return False
    name = callee(ctx)
    return (
        name not in SUBPROCESS_CALLS and name not in _SHELL_FUNCTIONS and _shell_requested(ctx.node)
    )
