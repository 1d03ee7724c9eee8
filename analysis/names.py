"""Names that code binds, and the standard-library imports that code forgot.

:func:`bound_names` is the check ruff's F821 makes, without scopes: a name
bound anywhere counts. SABS judges a rewrite's names with it while decoding.
:func:`with_stdlib_imports` adds ``import json`` to code that calls
``json.loads`` but binds ``json`` nowhere. A model that completes a stub
writes the body and cannot reach the stub's imports, so the fix is made once
the code is whole, before it is judged. The module is imported here (never the
generated code) to see that it has every attribute the code uses, so a
variable that merely shares a module's name (``code.split()``) is left alone.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from types import ModuleType

#: Names every module has without binding them.
ALWAYS_BOUND = frozenset(dir(builtins)) | frozenset(
    {"__name__", "__file__", "__doc__", "__spec__", "__package__", "__loader__", "__path__",
     "__builtins__", "__annotations__", "__module__", "__qualname__", "__class__", "__debug__"}
)
# standard-library modules whose import does something (opens a browser, prints, loads Tk,
# takes over the terminal's line editing)
_NOT_IMPORTED = frozenset(
    {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "readline", "rlcompleter"}
)


def bound_names(tree: ast.Module) -> set[str] | None:
    """Every name ``tree`` binds anywhere (``None`` when a star import hides some)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import):
            bound.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if any(a.name == "*" for a in node.names):
                return None
            bound.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return bound


def missing_stdlib_imports(code: str) -> list[str]:
    """The imports (``json``, ``urllib.parse``) of the standard-library modules that ``code``
    uses as ``module.attribute`` but binds nowhere, in order of first use: only where the
    module has every attribute used on it ([] when code does not parse, or a star import
    hides what it binds)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    bound = bound_names(tree)
    if bound is None:
        return []
    chains: dict[str, list[list[str]]] = {}  # unbound name -> the dotted chains read from it
    inner: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        parts: list[str] = []
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            inner.add(id(value))
            parts.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name):
            inner.add(id(value))
            chains.setdefault(value.id, []).append([value.id, *reversed(parts)])
    plain = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in inner}
    found: list[str] = []
    for name, uses in sorted(chains.items(), key=lambda item: code.find(f"{item[0]}.")):
        if name in bound or name in ALWAYS_BOUND or name in plain or not _importable(name):
            continue
        paths = [_module_path(chain) for chain in uses]
        if all(paths):
            found += [path for path in dict.fromkeys(paths) if path and path not in found]
    return found


def with_stdlib_imports(code: str) -> str:
    """``code`` with an ``import`` line for each of :func:`missing_stdlib_imports`, after its
    last top-level import (or its docstring, or at its top)."""
    missing = missing_stdlib_imports(code)
    if not missing:
        return code
    tree = ast.parse(code)
    imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    first = tree.body[0] if tree.body else None
    if imports:
        after = max(n.end_lineno or n.lineno for n in imports)
    elif (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        after = first.end_lineno or first.lineno
    else:
        after = 0
    lines = code.splitlines(keepends=True)
    if after and not lines[after - 1].endswith("\n"):
        lines[after - 1] += "\n"
    added = [f"import {path}\n" for path in missing]
    return "".join(lines[:after] + added + lines[after:])


def _importable(name: str) -> bool:
    """Whether ``name`` is a standard-library module this checker may import."""
    return name in sys.stdlib_module_names and not name.startswith("_") and name not in _NOT_IMPORTED


def _module_path(chain: list[str]) -> str | None:
    """The module to import for the dotted ``chain`` read from an unbound standard-library
    name (``urllib.parse`` for ``urllib.parse.quote``), or ``None`` when the chain names
    something the module does not have (``code.split``)."""
    path = chain[0]
    try:
        module = importlib.import_module(path)
        for part in chain[1:]:
            value = getattr(module, part, None)
            if value is not None and not (
                isinstance(value, ModuleType) and value.__name__ == f"{path}.{part}"
            ):
                return path  # an attribute of the module (``os.path`` is one of ``os``)
            module = importlib.import_module(f"{path}.{part}")  # a submodule
            path = f"{path}.{part}"
    except Exception:
        return None
    return path
