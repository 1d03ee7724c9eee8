"""Scope-aware resolution of names to the qualified names they stand for.

``import os as o`` makes ``o.system`` resolve to ``os.system``; ``from pathlib
import Path as P`` makes ``P(p).unlink`` resolve to ``pathlib.Path().unlink``
(a call is written ``()``); ``run = os.system`` rebinds ``run``; a ``def eval``
shadows the builtin. The scanner feeds bindings in source order, so one walk
both resolves and checks.
"""

from __future__ import annotations

import ast
import builtins
import enum
from dataclasses import dataclass, field

_BUILTIN_NAMES = frozenset(dir(builtins))
_BUILTIN_PREFIXES = ("builtins.", "__builtins__.")
_DYNAMIC_IMPORTS = frozenset({"__import__", "importlib.import_module", "importlib.__import__"})


class ScopeKind(enum.Enum):
    """What opened a scope; class scopes are skipped by nested lookups."""

    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"


@dataclass
class _Scope:
    kind: ScopeKind
    names: dict[str, str | None] = field(default_factory=dict)
    star_modules: list[str] = field(default_factory=list)


def _normalise(qualname: str) -> str:
    for prefix in _BUILTIN_PREFIXES:
        if qualname.startswith(prefix):
            return qualname[len(prefix) :]
    return qualname


class NameResolver:
    """Tracks bindings per scope and maps expressions to qualified names.

    A name bound to something unknown (a parameter, a loop variable, a
    user-defined function) resolves to ``None``; a name never bound resolves
    to itself (or, after ``from m import *``, to ``m.name``), so builtins and
    snippets without imports still resolve.
    """

    def __init__(self) -> None:
        self._scopes: list[_Scope] = [_Scope(ScopeKind.MODULE)]

    def push(self, kind: ScopeKind) -> None:
        """Open a new innermost scope."""
        self._scopes.append(_Scope(kind))

    def pop(self) -> None:
        """Close the innermost scope (the module scope is never closed)."""
        if len(self._scopes) > 1:
            self._scopes.pop()

    def bind(self, name: str, qualname: str | None) -> None:
        """Bind ``name`` in the innermost scope (``None``: an unknown value)."""
        self._scopes[-1].names[name] = qualname

    def lookup(self, name: str) -> str | None:
        """The qualified name ``name`` stands for here, following Python's scope rules."""
        innermost = self._scopes[-1]
        if name in innermost.names:
            return innermost.names[name]
        for scope in reversed(self._scopes[:-1]):
            if scope.kind is ScopeKind.CLASS:
                continue
            if name in scope.names:
                return scope.names[name]
        if name not in _BUILTIN_NAMES:
            for scope in reversed(self._scopes):
                if scope.star_modules:
                    return f"{scope.star_modules[-1]}.{name}"
        return name

    def is_builtin(self, name: str) -> bool:
        """True when ``name`` here still means the builtin of that name."""
        return name in _BUILTIN_NAMES and self.lookup(name) == name

    def qualname(self, expr: ast.AST | None) -> str | None:
        """The dotted name ``expr`` evaluates to, or ``None`` when unknown."""
        if isinstance(expr, ast.Name):
            found = self.lookup(expr.id)
        elif isinstance(expr, ast.Attribute):
            base = self.qualname(expr.value)
            found = None if base is None else f"{base}.{expr.attr}"
        elif isinstance(expr, ast.Call):
            found = self._call_qualname(expr)
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
            base = self.qualname(expr.left)
            found = base if base is not None and base.startswith("pathlib.") else None
        elif isinstance(expr, ast.NamedExpr):
            found = self.qualname(expr.value)
        else:
            found = None
        return None if found is None else _normalise(found)

    def _call_qualname(self, call: ast.Call) -> str | None:
        callee = self.qualname(call.func)
        if callee is None:
            return None
        literal = _string_arg(call, 1) if callee == "getattr" else _string_arg(call, 0)
        if callee == "getattr" and literal is not None and call.args:
            target = self.qualname(call.args[0])
            return None if target is None else f"{target}.{literal}"
        if callee in _DYNAMIC_IMPORTS and literal is not None:
            return literal
        return f"{callee}()"

    def bind_import(self, node: ast.Import | ast.ImportFrom) -> None:
        """Record the names an import statement binds."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.bind(alias.asname, alias.name)
                else:
                    top = alias.name.split(".", 1)[0]
                    self.bind(top, top)
            return
        module = node.module if node.level == 0 else None
        for alias in node.names:
            if alias.name == "*":
                if module:
                    self._scopes[-1].star_modules.append(module)
                continue
            qualname = f"{module}.{alias.name}" if module else None
            self.bind(alias.asname or alias.name, qualname)

    def bind_target(self, target: ast.AST, value: ast.AST | None) -> None:
        """Bind the names in an assignment target to what ``value`` resolves to."""
        if isinstance(target, ast.Name):
            self.bind(target.id, self.qualname(value) if value is not None else None)
        elif isinstance(target, ast.Tuple | ast.List):
            values: list[ast.expr] | None = None
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                values = value.elts
            for index, element in enumerate(target.elts):
                self.bind_target(element, values[index] if values else None)
        elif isinstance(target, ast.Starred):
            self.bind_target(target.value, None)


def _string_arg(call: ast.Call, index: int) -> str | None:
    if len(call.args) > index:
        arg = call.args[index]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def bound_names(statements: list[ast.stmt]) -> list[str]:
    """Names of the functions and classes defined in ``statements``, outside nested scopes."""
    names: list[str] = []
    for statement in statements:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(statement.name)
            continue
        nested: list[ast.stmt] = []
        for child in ast.iter_child_nodes(statement):
            if isinstance(child, ast.stmt):
                nested.append(child)
            elif isinstance(child, ast.ExceptHandler | ast.match_case):
                nested.extend(child.body)
        names.extend(bound_names(nested))
    return names
