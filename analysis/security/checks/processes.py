"""Process checks that depend on how ``subprocess`` is called."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from analysis.security.context import Context, argument, callee, is_false
from analysis.security.registry import check
from analysis.security.rules import (
    OPTION_INJECTION,
    SHELL_COMMAND,
    SHELL_KEYWORD,
    SHELL_TRUE,
    SUBPROCESS_CALL,
)
from analysis.security.tables import DANGEROUS_CALLS, PROGRAM_ARGUMENT_CALLS, SUBPROCESS_CALLS

_SHELL_FUNCTIONS = frozenset(
    name for entry in DANGEROUS_CALLS if entry.rule is SHELL_COMMAND for name in entry.names
)
_END_OF_OPTIONS = "--"
_Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
_Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
#: Calls that look at a value without checking what it holds.
_NOT_A_CHECK = frozenset({"isinstance", "len", "bool", "str", "type", "print"})


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


@check(ast.Call, OPTION_INJECTION)
def option_injection(ctx: Context[ast.Call]) -> bool:
    """A visible argument list (``["ping", "-c", "1", host]``) in which a value that may
    start with ``-`` follows the program with no ``--`` before it and no check of it above
    the call (see :func:`_checked`).

    A value may start with ``-`` unless it is a literal, a name bound only to literals, or a
    string whose fixed text comes first (``f"--host={host}"``, ``"user@" + host``). A list
    the code builds elsewhere, or changes after building it, is not seen.
    """
    arguments = _argument_list(ctx)
    if not arguments:
        return False
    scope = _scope(ctx)
    for item in arguments[1:]:
        if isinstance(item, ast.Constant) and item.value == _END_OF_OPTIONS:
            return False
        value = _open_start(item, scope, ctx.ancestors)
        if value is not None and not _checked(value, scope, ctx.node):
            return True
    return False


def _argument_list(ctx: Context[ast.Call]) -> Sequence[ast.expr] | None:
    """The program and its arguments as the code spells them, or ``None`` when unseen."""
    name = callee(ctx)
    if name in PROGRAM_ARGUMENT_CALLS:
        return ctx.node.args
    if name not in SUBPROCESS_CALLS or _shell_requested(ctx.node):
        return None
    listed = argument(ctx.node, 0, "args")
    if isinstance(listed, ast.Name):
        listed = _only_literal_list(listed.id, _scope(ctx))
    return listed.elts if isinstance(listed, ast.List | ast.Tuple) else None


def _scope(ctx: Context[ast.Call]) -> _Scope | None:
    """The innermost function around the call, else its module."""
    for ancestor in reversed(ctx.ancestors):
        if isinstance(ancestor, ast.FunctionDef | ast.AsyncFunctionDef):
            return ancestor
    first = ctx.ancestors[0] if ctx.ancestors else None
    return first if isinstance(first, ast.Module) else None


def _scope_nodes(scope: _Scope | None) -> Iterator[ast.AST]:
    """Every node of ``scope``'s body, nested functions and classes left out."""
    pending: list[ast.AST] = list(scope.body) if scope is not None else []
    while pending:
        node = pending.pop()
        yield node
        pending.extend(
            child for child in ast.iter_child_nodes(node) if not isinstance(child, _NESTED_SCOPES)
        )


def _only_literal_list(name: str, scope: _Scope | None) -> ast.expr | None:
    """The list or tuple literal ``name`` is bound to, when it is its only binding and
    nothing changes it (no ``name.append(...)``, no ``name[i] = ...``)."""
    found: list[ast.expr] = []
    for node in _scope_nodes(scope):
        if isinstance(node, ast.Attribute | ast.Subscript) and _is_name(node.value, name):
            return None
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            found.append(node)
        if isinstance(node, ast.Assign) and any(_is_name(t, name) for t in node.targets):
            found.append(node.value)
        if isinstance(node, ast.AnnAssign) and _is_name(node.target, name) and node.value:
            found.append(node.value)
    stores = [n for n in found if isinstance(n, ast.Name)]
    values = [n for n in found if not isinstance(n, ast.Name)]
    return values[0] if len(stores) == len(values) == 1 else None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _open_start(
    item: ast.expr, scope: _Scope | None, ancestors: Sequence[ast.AST]
) -> ast.expr | None:
    """The part of ``item`` that decides its first character when the code does not fix it
    (``None``: it starts with literal text, or is a literal)."""
    if isinstance(item, ast.Constant):
        return None
    if isinstance(item, ast.JoinedStr):
        first = item.values[0] if item.values else None
        return first.value if isinstance(first, ast.FormattedValue) else None
    if isinstance(item, ast.BinOp) and isinstance(item.op, ast.Add):
        return _open_start(item.left, scope, ancestors)
    if isinstance(item, ast.Starred):
        return item.value
    if isinstance(item, ast.Name) and _bound_to_literals(item.id, scope, ancestors):
        return None
    return item


def _bound_to_literals(name: str, scope: _Scope | None, ancestors: Sequence[ast.AST]) -> bool:
    """Whether ``name`` is no parameter and every binding of it, in the innermost scope that
    binds it (the function, else the module), is a literal or a loop over literals."""
    if any(name in _parameters(a) for a in ancestors if isinstance(a, _Function)):
        return False
    module = ancestors[0] if ancestors and isinstance(ancestors[0], ast.Module) else None
    for where in (scope, module):
        stores, literal = 0, 0
        for node in _scope_nodes(where):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                stores += 1
            literal += _literal_bindings(node, name)
        if stores:
            return stores == literal
    return False


def _parameters(function: _Function) -> set[str]:
    arguments = function.args
    named = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    named += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return {a.arg for a in named}


def _literal_bindings(node: ast.AST, name: str) -> int:
    """How many times ``node`` binds ``name`` to a literal (``name = "1"``, ``for name in
    ("a", "b")``)."""
    if isinstance(node, ast.Assign):
        return sum(_is_name(t, name) for t in node.targets) if _literal(node.value) else 0
    if isinstance(node, ast.AnnAssign):
        return int(_is_name(node.target, name) and _literal(node.value))
    if isinstance(node, ast.For | ast.AsyncFor) and isinstance(node.iter, ast.List | ast.Tuple):
        return int(_is_name(node.target, name) and all(map(_literal, node.iter.elts)))
    return 0


def _literal(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant)


def _checked(value: ast.expr, scope: _Scope | None, call: ast.Call) -> bool:
    """Whether a test above ``call`` (``if``, ``while``, ``assert``, a comprehension's
    ``if``) checks ``value``: passes it to a function (``re.fullmatch(p, host)``), calls one
    of its methods (``host.startswith("-")``) or looks it up (``host in ALLOWED``)."""
    wanted = ast.dump(value)
    for node in _scope_nodes(scope):
        if isinstance(node, ast.If | ast.While | ast.Assert):
            tests: list[ast.expr] = [node.test]
        elif isinstance(node, ast.comprehension):
            tests = list(node.ifs)
        else:
            continue
        for test in tests:
            parts = list(ast.walk(test))
            if test.lineno > call.lineno or any(part is call for part in parts):
                continue
            if any(wanted in _checked_values(part) for part in parts):
                return True
    return False


def _checked_values(node: ast.AST) -> list[str]:
    """The values (as ``ast.dump`` spells them) that ``node`` checks, if it is a check."""
    if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
        return [ast.dump(node.left)]
    if not isinstance(node, ast.Call):
        return []
    if isinstance(node.func, ast.Name) and node.func.id in _NOT_A_CHECK:
        return []
    values = [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node.func, ast.Attribute):
        values.append(node.func.value)
    return [ast.dump(v) for v in values]
