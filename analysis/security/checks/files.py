"""File checks that depend on arguments or on literal text."""

from __future__ import annotations

import ast

from analysis.security.context import Context, argument, callee, constant, receiver
from analysis.security.registry import check, rule
from analysis.security.tables import ERROR, HIGH, MEDIUM, WARNING, WRITE_OPENERS

WRITE_MODE = rule(
    "SC301",
    cwe=73,
    severity=WARNING,
    confidence=MEDIUM,
    message="this opens a file for writing; make sure the path cannot be chosen by "
    "untrusted input and that overwriting is intended",
)
HARDCODED_TMP = rule(
    "SC305",
    cwe=377,
    severity=WARNING,
    confidence=MEDIUM,
    message="a fixed path in a shared temporary directory can be raced or "
    "pre-created by another user; use the tempfile module",
)
PERMISSIVE_MODE = rule(
    "SC307",
    cwe=732,
    severity=ERROR,
    confidence=HIGH,
    message="this makes a file writable by every user; grant the least "
    "permissions needed (for example 0o600 or 0o644)",
)

_WRITE_FLAGS = frozenset("wax+")
_SHARED_TMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
_WORLD_WRITABLE = 0o002


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


@check(ast.Call, PERMISSIVE_MODE)
def world_writable_chmod(ctx: Context[ast.Call]) -> bool:
    """``os.chmod(path, 0o777)`` or ``Path.chmod(0o666)``: a literal world-writable mode."""
    name = callee(ctx)
    if name in ("os.chmod", "os.lchmod", "os.fchmod"):
        mode = constant(argument(ctx.node, 1, "mode"))
    else:
        found = receiver(ctx)
        if found is None or found[1] not in ("chmod", "lchmod"):
            return False
        mode = constant(argument(ctx.node, 0, "mode"))
    return isinstance(mode, int) and not isinstance(mode, bool) and bool(mode & _WORLD_WRITABLE)
