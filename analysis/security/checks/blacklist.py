"""Generic checks driven by the name tables: calls, imports, attribute references, methods."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from analysis.security.context import Context, argument, callee, constant, receiver
from analysis.security.registry import Rule, table_check
from analysis.security.tables import (
    DANGEROUS_ATTRIBUTES,
    DANGEROUS_CALLS,
    DANGEROUS_IMPORTS,
    DANGEROUS_METHODS,
    MethodEntry,
)


@table_check(ast.Call, (entry.rule for entry in DANGEROUS_CALLS))
def dangerous_call(ctx: Context[ast.Call]) -> Iterator[Rule]:
    """A call to a function listed as dangerous, whatever name it goes by here."""
    name = callee(ctx)
    if name is None:
        return
    for entry in DANGEROUS_CALLS:
        if name in entry.names:
            yield entry.rule


def _imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level or node.module is None:
        return []
    return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]


@table_check((ast.Import, ast.ImportFrom), (entry.rule for entry in DANGEROUS_IMPORTS))
def dangerous_import(ctx: Context[ast.Import | ast.ImportFrom]) -> Iterator[Rule]:
    """An import of a module listed as dangerous (or of a submodule or member of it)."""
    found: list[Rule] = []
    for module in _imported_modules(ctx.node):
        parts = module.split(".")
        prefixes = {".".join(parts[:end]) for end in range(1, len(parts) + 1)}
        for entry in DANGEROUS_IMPORTS:
            if entry.rule not in found and not prefixes.isdisjoint(entry.names):
                found.append(entry.rule)
    yield from found


_ATTRIBUTE_LEAVES = frozenset(
    name.rsplit(".", 1)[-1] for entry in DANGEROUS_ATTRIBUTES for name in entry.names
)


@table_check((ast.Attribute, ast.Name), (entry.rule for entry in DANGEROUS_ATTRIBUTES))
def dangerous_attribute(ctx: Context[ast.Attribute | ast.Name]) -> Iterator[Rule]:
    """A reference to an attribute or constant listed as dangerous (``os.environ``).

    An attribute keeps its own name whatever its object is called, so only
    attributes named like a listed one need resolving; a bare name may be an alias.
    """
    node = ctx.node
    if not isinstance(node.ctx, ast.Load) or (
        isinstance(node, ast.Attribute) and node.attr not in _ATTRIBUTE_LEAVES
    ):
        return
    name = ctx.qualname(node)
    if name is None:
        return
    for entry in DANGEROUS_ATTRIBUTES:
        if name in entry.names:
            yield entry.rule


@table_check(ast.Call, (entry.rule for entry in DANGEROUS_METHODS))
def dangerous_method(ctx: Context[ast.Call]) -> Iterator[Rule]:
    """``x.method(...)`` where the method is dangerous on what ``x`` came from."""
    found = receiver(ctx)
    if found is None:
        return
    owner, method = found
    for entry in DANGEROUS_METHODS:
        if method not in entry.methods or _made_safe(ctx, entry):
            continue
        if owner is None:
            if method in entry.unknown_receiver:
                yield entry.rule
        elif owner.split(".", 1)[0] in entry.roots:
            yield entry.rule


def _made_safe(ctx: Context[ast.Call], entry: MethodEntry) -> bool:
    if entry.safe_keyword is None:
        return False
    keyword, safe_values = entry.safe_keyword
    value = argument(ctx.node, None, keyword)
    if value is None:
        return False
    literal = constant(value)
    return (literal if isinstance(literal, str) else ctx.qualname(value)) in safe_values
