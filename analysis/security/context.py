"""What a check sees: the node, its ancestors and the names in scope there."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

from analysis.security.resolver import NameResolver

N = TypeVar("N", bound=ast.AST)


@dataclass(eq=False)
class Context(Generic[N]):
    """One node under inspection, with typed helpers so checks stay small.

    ``path`` holds the node's ancestors, outermost first; it is only valid
    while the checks of this node run (the scanner reuses it). Checks read a
    context and never change it; it is not frozen because one is built for
    every node the scan inspects, and a plain dataclass is built several
    times faster.
    """

    node: N
    path: Sequence[ast.AST]
    resolver: NameResolver
    function_name: str | None

    @cached_property
    def ancestors(self) -> tuple[ast.AST, ...]:
        """The nodes containing this one, outermost first."""
        return tuple(self.path)

    @cached_property
    def call_name(self) -> str | None:
        """For a call node: the qualified name of the function it invokes."""
        node = self.node
        return self.resolver.qualname(node.func) if isinstance(node, ast.Call) else None

    def qualname(self, expr: ast.AST | None) -> str | None:
        """The qualified name ``expr`` resolves to at this point, or ``None``."""
        return self.resolver.qualname(expr)

    @property
    def parent(self) -> ast.AST | None:
        """The node directly containing this one."""
        return self.path[-1] if self.path else None

    @property
    def statement(self) -> ast.stmt | None:
        """The innermost statement containing this node (itself if it is one)."""
        if isinstance(self.node, ast.stmt):
            return self.node
        for ancestor in reversed(self.path):
            if isinstance(ancestor, ast.stmt):
                return ancestor
        return None

    def is_docstring(self) -> bool:
        """True when the node is a string literal standing alone as a statement."""
        return isinstance(self.parent, ast.Expr)


def callee(ctx: Context[ast.Call]) -> str | None:
    """The qualified name of the function a call invokes."""
    return ctx.call_name


def receiver(ctx: Context[ast.Call]) -> tuple[str | None, str] | None:
    """For a method call ``x.m(...)``: the qualified name of ``x`` and ``m``."""
    func = ctx.node.func
    if isinstance(func, ast.Attribute):
        return ctx.qualname(func.value), func.attr
    return None


def argument(call: ast.Call, position: int | None, keyword: str | None) -> ast.expr | None:
    """The argument passed at ``position`` or as ``keyword``, if any."""
    if keyword is not None:
        for item in call.keywords:
            if item.arg == keyword:
                return item.value
    if position is not None and len(call.args) > position:
        candidate = call.args[position]
        if not isinstance(candidate, ast.Starred):
            return candidate
    return None


def has_keyword(call: ast.Call, keyword: str) -> bool:
    """True when the call passes ``keyword`` (or ``**kwargs``, which may hold it)."""
    return any(item.arg in (keyword, None) for item in call.keywords)


def constant(expr: ast.AST | None) -> object:
    """The value of a literal constant, or ``NotImplemented`` when not a constant."""
    if isinstance(expr, ast.Constant):
        return expr.value
    return NotImplemented


def is_true(expr: ast.AST | None) -> bool:
    """True when ``expr`` is a literal true value (``True``, ``1``, ``"yes"``)."""
    value = constant(expr)
    return value is not NotImplemented and bool(value)


def is_false(expr: ast.AST | None) -> bool:
    """True when ``expr`` is a literal false value (``False``, ``0``, ``None``)."""
    value = constant(expr)
    return value is not NotImplemented and not value


def _targets(statement: ast.stmt | None) -> list[ast.expr]:
    if isinstance(statement, ast.Assign):
        return list(statement.targets)
    if isinstance(statement, ast.AnnAssign | ast.AugAssign):
        return [statement.target]
    return []


def target_names(statement: ast.stmt | None) -> list[str]:
    """Names (or attribute names) a statement assigns to."""
    names: list[str] = []
    for target in _targets(statement):
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.append(node.id)
            elif isinstance(node, ast.Attribute):
                names.append(node.attr)
    return names


def target_keys(statement: ast.stmt | None) -> list[str]:
    """Literal string keys a statement assigns to (``config["password"] = ...``)."""
    keys: list[str] = []
    for target in _targets(statement):
        for node in ast.walk(target):
            if isinstance(node, ast.Subscript):
                key = constant(node.slice)
                if isinstance(key, str):
                    keys.append(key)
    return keys


def mentioned_names(expr: ast.AST) -> list[str]:
    """Every identifier (names and attribute names) used inside ``expr``."""
    names: list[str] = []
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
    return names
