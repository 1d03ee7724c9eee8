"""One walk over the syntax tree that tracks names and runs every registered check.

Bindings are recorded in source order as the walk goes, so each check sees
what a name means at that point. A check that raises becomes an ``SC000``
internal-error issue; the scan always finishes.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Sequence
from typing import Any

from analysis.findings import Finding
from analysis.security.context import Context
from analysis.security.issue import SecurityIssue
from analysis.security.policy import DEFAULT_POLICY, Policy
from analysis.security.registry import Check, Registry, Rule, loaded_registry
from analysis.security.resolver import NameResolver, ScopeKind, bound_names
from analysis.security.rules import INTERNAL_ERROR

logger = logging.getLogger(__name__)

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


class _Walker:
    """Visits nodes in evaluation order, binding names and dispatching checks."""

    def __init__(self, registry: Registry, policy: Policy) -> None:
        self._registry = registry
        self._policy = policy
        self._resolver = NameResolver()
        self._ancestors: list[ast.AST] = []
        self._functions: list[str] = []
        self._active: dict[type[ast.AST], list[Check]] = {}
        self.issues: list[SecurityIssue] = []

    # --- dispatch ---------------------------------------------------------------

    def visit(self, node: ast.AST) -> None:
        self._inspect(node)
        special = _SPECIAL_VISITS.get(type(node))
        self._ancestors.append(node)
        try:
            if special is not None:
                special(self, node)
            else:
                self._visit_all(list(ast.iter_child_nodes(node)))
        finally:
            self._ancestors.pop()

    def _visit_all(self, nodes: Sequence[ast.AST]) -> None:
        for node in nodes:
            self.visit(node)

    def _visit_optional(self, node: ast.AST | None) -> None:
        if node is not None:
            self.visit(node)

    def _inspect(self, node: ast.AST) -> None:
        checks = self._active_checks(type(node))
        if not checks:
            return
        ctx: Context[ast.AST] = Context(
            node, self._ancestors, self._resolver, self._functions[-1] if self._functions else None
        )
        for check in checks:
            self._run(check, ctx)

    def _active_checks(self, node_type: type[ast.AST]) -> Sequence[Check]:
        """The checks for ``node_type`` with at least one rule the policy leaves on."""
        found = self._active.get(node_type)
        if found is None:
            found = self._active[node_type] = [
                check
                for check in self._registry.checks_for(node_type)
                if not check.rules or any(self._policy.enabled(r.id) for r in check.rules)
            ]
        return found

    def _run(self, check: Check, ctx: Context[ast.AST]) -> None:
        try:
            found = list(check.run(ctx))
        except Exception as error:  # one broken check must never stop the scan
            logger.warning("security check %s failed", check.name, exc_info=True)
            detail = f"{INTERNAL_ERROR.message} ({check.name}: {type(error).__name__}: {error})"
            self._report(INTERNAL_ERROR, ctx.node, message=detail)
            return
        for rule in found:
            if self._policy.enabled(rule.id):
                self._report(rule, ctx.node)

    def _report(self, rule: Rule, node: ast.AST, *, message: str | None = None) -> None:
        line, col = self._position(node)
        self.issues.append(
            SecurityIssue(
                line=line,
                col=col,
                id=rule.id,
                cwe=rule.cwe,
                severity=self._policy.severity(rule),
                confidence=rule.confidence,
                message=message or rule.message,
            )
        )

    def _position(self, node: ast.AST) -> tuple[int, int]:
        for candidate in (node, *reversed(self._ancestors)):
            line = getattr(candidate, "lineno", None)
            if isinstance(line, int):
                return line, int(getattr(candidate, "col_offset", 0)) + 1
        return 0, 0

    # --- scopes and bindings --------------------------------------------------------

    def _enter(self, kind: ScopeKind, body: list[ast.stmt]) -> None:
        self._resolver.push(kind)
        for name in bound_names(body):
            self._resolver.bind(name, None)

    def _bind_parameters(self, arguments: ast.arguments) -> None:
        parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        parameters += [arg for arg in (arguments.vararg, arguments.kwarg) if arg is not None]
        for parameter in parameters:
            self._resolver.bind(parameter.arg, None)

    def _visit_module(self, node: ast.Module) -> None:
        for name in bound_names(node.body):
            self._resolver.bind(name, None)
        self._visit_all(node.body)

    def _visit_import(self, node: ast.Import | ast.ImportFrom) -> None:
        self._resolver.bind_import(node)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._visit_all(node.decorator_list)
        self.visit(node.args)
        self._visit_optional(node.returns)
        self._resolver.bind(node.name, None)
        self._enter(ScopeKind.FUNCTION, node.body)
        self._bind_parameters(node.args)
        self._functions.append(node.name)
        try:
            self._visit_all(node.body)
        finally:
            self._functions.pop()
            self._resolver.pop()

    def _visit_lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        self._resolver.push(ScopeKind.FUNCTION)
        self._bind_parameters(node.args)
        try:
            self.visit(node.body)
        finally:
            self._resolver.pop()

    def _visit_class(self, node: ast.ClassDef) -> None:
        self._visit_all(node.decorator_list)
        self._visit_all(node.bases)
        self._visit_all(node.keywords)
        self._resolver.bind(node.name, None)
        self._enter(ScopeKind.CLASS, node.body)
        try:
            self._visit_all(node.body)
        finally:
            self._resolver.pop()

    def _visit_assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        self._visit_all(node.targets)
        for target in node.targets:
            self._resolver.bind_target(target, node.value)

    def _visit_ann_assign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        self._visit_optional(node.value)
        self.visit(node.target)
        if node.value is not None:
            self._resolver.bind_target(node.target, node.value)

    def _visit_aug_assign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self.visit(node.target)
        self._resolver.bind_target(node.target, None)

    def _visit_named_expr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._resolver.bind_target(node.target, node.value)

    def _visit_for(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._resolver.bind_target(node.target, None)
        self.visit(node.target)
        self._visit_all(node.body)
        self._visit_all(node.orelse)

    def _visit_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                # A context manager usually returns itself: `with tarfile.open() as tar`.
                self._resolver.bind_target(item.optional_vars, item.context_expr)
                self.visit(item.optional_vars)
        self._visit_all(node.body)

    def _visit_except_handler(self, node: ast.ExceptHandler) -> None:
        self._visit_optional(node.type)
        if node.name:
            self._resolver.bind(node.name, None)
        self._visit_all(node.body)

    def _visit_comprehension_scope(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        self._resolver.push(ScopeKind.FUNCTION)
        try:
            for generator in node.generators:
                self.visit(generator.iter)
                self._resolver.bind_target(generator.target, None)
                self.visit(generator.target)
                self._visit_all(generator.ifs)
            if isinstance(node, ast.DictComp):
                self.visit(node.key)
                self.visit(node.value)
            else:
                self.visit(node.elt)
        finally:
            self._resolver.pop()


_SPECIAL_VISITS: dict[type[ast.AST], Callable[[_Walker, Any], None]] = {
    ast.Module: _Walker._visit_module,
    ast.Import: _Walker._visit_import,
    ast.ImportFrom: _Walker._visit_import,
    ast.FunctionDef: _Walker._visit_function,
    ast.AsyncFunctionDef: _Walker._visit_function,
    ast.Lambda: _Walker._visit_lambda,
    ast.ClassDef: _Walker._visit_class,
    ast.Assign: _Walker._visit_assign,
    ast.AnnAssign: _Walker._visit_ann_assign,
    ast.AugAssign: _Walker._visit_aug_assign,
    ast.NamedExpr: _Walker._visit_named_expr,
    ast.For: _Walker._visit_for,
    ast.AsyncFor: _Walker._visit_for,
    ast.With: _Walker._visit_with,
    ast.AsyncWith: _Walker._visit_with,
    ast.ExceptHandler: _Walker._visit_except_handler,
    **{kind: _Walker._visit_comprehension_scope for kind in _COMPREHENSIONS},
}


def scan_tree(
    tree: ast.Module, policy: Policy | None = None, *, registry: Registry | None = None
) -> list[SecurityIssue]:
    """Every security issue in a parsed module, in source order (``registry``: all checks)."""
    walker = _Walker(registry or loaded_registry(), policy or DEFAULT_POLICY)
    try:
        walker.visit(tree)
    except RecursionError:
        logger.warning("security scan stopped: the code is nested too deeply")
        walker.issues.append(
            SecurityIssue(
                0,
                0,
                INTERNAL_ERROR.id,
                INTERNAL_ERROR.cwe,
                INTERNAL_ERROR.severity,
                INTERNAL_ERROR.confidence,
                "the code is nested too deeply to scan completely",
            )
        )
    return sorted(set(walker.issues))


def scan(code: str, policy: Policy | None = None) -> list[SecurityIssue]:
    """Every security issue in ``code``; empty when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return scan_tree(tree, policy)


def scan_findings(code: str, policy: Policy | None = None) -> list[Finding]:
    """The security issues of ``code`` as common findings (tool ``security``, rule = check id).

    Code with a syntax error yields none: the other tools report syntax.
    """
    return [issue.to_finding() for issue in scan(code, policy)]
