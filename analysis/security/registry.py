"""The catalogue of checks: the :class:`Rule` type (a stable id with CWE, severity,
confidence) and the functions that find rules, registered with decorators.

Every rule is declared once, in ``rules.py``; the checks in ``checks/`` name the
rules they report.

``@check`` registers a one-rule check returning ``bool``; ``@table_check``
registers a check that yields rules from a data table. Several checks may
share one :class:`Rule` (the same problem reached by a call and by an
attribute, say), but an id always means one rule.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from analysis.findings import Severity
from analysis.security.context import Context
from analysis.security.issue import Confidence

N = TypeVar("N", bound=ast.AST)
CheckFunction = Callable[[Context[Any]], Iterable["Rule"]]


@dataclass(frozen=True)
class Rule:
    """One kind of problem: what is wrong, how bad, how sure, and what to do instead.

    ``bandit`` names the bandit test ids that report the same problem on the same
    line; the parity tests and ``python -m benchmarks.security --parts parity``
    compare the two tools through it.
    """

    id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    message: str
    bandit: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """A registered function that inspects one or more AST node types."""

    name: str
    node_types: tuple[type[ast.AST], ...]
    rules: tuple[Rule, ...]
    run: CheckFunction


class Registry:
    """All rules by id and all checks by node type."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._checks: list[Check] = []
        self._by_type: dict[type[ast.AST], list[Check]] = {}

    def add(self, check: Check) -> None:
        """Register a check; an id reused for a different rule is a programming error."""
        for rule in check.rules:
            known = self._rules.get(rule.id)
            if known is not None and known != rule:
                raise ValueError(f"security rule id {rule.id} is defined twice differently")
            self._rules[rule.id] = rule
        self._checks.append(check)
        for node_type in check.node_types:
            self._by_type.setdefault(node_type, []).append(check)

    @property
    def rules(self) -> dict[str, Rule]:
        """Every rule by id (a copy)."""
        return dict(self._rules)

    def bandit_equivalents(self) -> dict[str, frozenset[str]]:
        """Each bandit test id the verifier covers, with the rule ids that report it."""
        found: dict[str, set[str]] = {}
        for known in self._rules.values():
            for test_id in known.bandit:
                found.setdefault(test_id, set()).add(known.id)
        return {test_id: frozenset(ids) for test_id, ids in sorted(found.items())}

    @property
    def checks(self) -> tuple[Check, ...]:
        """Every registered check, in registration order."""
        return tuple(self._checks)

    def checks_for(self, node_type: type[ast.AST]) -> Sequence[Check]:
        """The checks that visit nodes of exactly ``node_type``."""
        return self._by_type.get(node_type, ())


REGISTRY = Registry()


def rule(
    id: str,
    *,
    cwe: int,
    severity: Severity,
    confidence: Confidence,
    message: str,
    bandit: tuple[str, ...] = (),
) -> Rule:
    """Declare a rule (a shorthand that keeps tables readable)."""
    return Rule(
        id=id, cwe=cwe, severity=severity, confidence=confidence, message=message, bandit=bandit
    )


def check(
    node_type: type[N] | tuple[type[N], ...],
    the_rule: Rule,
) -> Callable[[Callable[[Context[N]], bool]], Callable[[Context[N]], bool]]:
    """Register ``func(ctx) -> bool`` as the check for ``the_rule`` on ``node_type`` nodes."""
    node_types = node_type if isinstance(node_type, tuple) else (node_type,)

    def decorate(func: Callable[[Context[N]], bool]) -> Callable[[Context[N]], bool]:
        def run(ctx: Context[Any]) -> Iterable[Rule]:
            return (the_rule,) if func(ctx) else ()

        REGISTRY.add(Check(func.__name__, node_types, (the_rule,), run))
        return func

    return decorate


def table_check(
    node_type: type[N] | tuple[type[N], ...],
    rules: Iterable[Rule],
) -> Callable[[Callable[[Context[N]], Iterable[Rule]]], Callable[[Context[N]], Iterable[Rule]]]:
    """Register ``func(ctx) -> rules found`` as a check that can report any of ``rules``."""
    node_types = node_type if isinstance(node_type, tuple) else (node_type,)
    declared = tuple(dict.fromkeys(rules))

    def decorate(
        func: Callable[[Context[N]], Iterable[Rule]],
    ) -> Callable[[Context[N]], Iterable[Rule]]:
        REGISTRY.add(Check(func.__name__, node_types, declared, func))
        return func

    return decorate


def loaded_registry() -> Registry:
    """The registry with every check module imported (and so registered)."""
    importlib.import_module("analysis.security.checks")
    return REGISTRY
