"""File checks that depend on arguments or on literal text."""

from __future__ import annotations

import ast
import stat
from collections.abc import Iterator

from analysis.security.context import Context, argument, callee, constant, receiver
from analysis.security.registry import Rule, check, table_check
from analysis.security.rules import HARDCODED_TMP, LOOSE_MODE, PERMISSIVE_MODE, WRITE_MODE
from analysis.security.tables import WRITE_OPENERS

_WRITE_FLAGS = frozenset("wax+")
_SHARED_TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
_WORLD_WRITABLE = stat.S_IWOTH
_LOOSE = stat.S_IWGRP | stat.S_IXGRP | stat.S_IXOTH
_STAT_FLAGS = {
    f"stat.{name}": value
    for name, value in vars(stat).items()
    if name.startswith("S_I") and isinstance(value, int)
}


def _is_write_mode(mode: object) -> bool:
    return isinstance(mode, str) and bool(_WRITE_FLAGS & set(mode))


@check(ast.Call, WRITE_MODE)
def open_for_writing(ctx: Context[ast.Call]) -> bool:
    """``open(path, "w")`` (or ``a``, ``x``, ``+``), also ``Path(...).open("w")``."""
    if callee(ctx) in WRITE_OPENERS:
        return _is_write_mode(constant(argument(ctx.node, 1, "mode")))
    found = receiver(ctx)
    if found is not None and found[1] == "open" and (found[0] or "").startswith("pathlib."):
        return _is_write_mode(constant(argument(ctx.node, 0, "mode")))
    return False


@check(ast.Constant, HARDCODED_TMP)
def hardcoded_tmp_path(ctx: Context[ast.Constant]) -> bool:
    """A string literal naming a path in ``/tmp``, ``/var/tmp`` or ``/dev/shm``."""
    value = ctx.node.value
    if not isinstance(value, str) or ctx.is_docstring():
        return False
    return any(value == root or value.startswith(root + "/") for root in _SHARED_TMP_DIRS)


def _mode_value(ctx: Context[ast.Call], expr: ast.AST | None) -> int | None:
    """The value of a literal mode, ``stat`` flags included (``stat.S_IRWXU | 0o044``)."""
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr | ast.Add):
        left, right = _mode_value(ctx, expr.left), _mode_value(ctx, expr.right)
        return None if left is None or right is None else left | right
    if isinstance(expr, ast.Name | ast.Attribute):
        return _STAT_FLAGS.get(ctx.qualname(expr) or "")
    value = constant(expr)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@table_check(ast.Call, (PERMISSIVE_MODE, LOOSE_MODE))
def permissive_chmod(ctx: Context[ast.Call]) -> Iterator[Rule]:
    """``os.chmod(path, 0o777)`` or ``Path.chmod(0o666)``: a literal world-writable mode
    (an error); group-writable or executable by others (``0o775``, ``0o755``): a note."""
    name = callee(ctx)
    if name in ("os.chmod", "os.lchmod", "os.fchmod"):
        mode = _mode_value(ctx, argument(ctx.node, 1, "mode"))
    else:
        found = receiver(ctx)
        if found is None or found[1] not in ("chmod", "lchmod"):
            return
        mode = _mode_value(ctx, argument(ctx.node, 0, "mode"))
    if mode is None:
        return
    if mode & _WORLD_WRITABLE:
        yield PERMISSIVE_MODE
    elif mode & _LOOSE:
        yield LOOSE_MODE
