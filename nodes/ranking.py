"""Which candidate a cycle keeps, and which attempt a run returns: pure functions of verdicts.

A cycle's candidates are ranked by, in order: code that no earlier attempt
already had; the task's and the user's checks passed (examples, tests, a
spec's examples); agreement on the model-written tests (CodeT's dual
agreement: candidates that give the same results on those tests form a
cluster, scored by its size times the tests it passes); the static tests
(clean, then fewer errors, fewer findings, more completeness); and last the
decoder's own score. Model-written tests can be wrong, so they only rank:
they are never a verdict.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from nodes.state import Attempt, Candidate
from verify.checks import UNJUDGED, VERDICT_ORIGINS, Check, Suite, beyond_sandbox
from verify.sandbox import RunVerdict


@dataclass(frozen=True)
class CheckResult:
    """What one check did against one piece of code, as a person and the reflect node read it."""

    label: str
    origin: str
    outcome: str  # passed | failed | error | timeout | memory | not_run | unjudged
    expected: str | None = None
    got: str | None = None
    error: str = ""
    line: int | None = None

    @property
    def passed(self) -> bool:
        """Whether the check passed."""
        return self.outcome == "passed"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]

    def evidence(self, code: str = "") -> str:
        """One line that says what went wrong (empty when the check passed), quoting the line
        of ``code`` where it was raised when there is one."""
        lines = code.splitlines()
        source = lines[self.line - 1].strip() if self.line and 0 < self.line <= len(lines) else ""
        where = f" at line {self.line}" if self.line else ""
        where += f" (`{source[:80]}`)" if source else ""
        if self.passed:
            return ""
        if self.outcome == "failed" and self.expected is not None and self.got is not None:
            return f"`{self.label}` failed: it returned {self.got}, expected {self.expected}"
        if self.outcome == "failed":
            detail = f": {self.error}" if self.error and self.error != "AssertionError" else ""
            return f"`{self.label}` failed{detail}"
        if self.outcome == "timeout":
            return f"`{self.label}` did not finish in time (an endless loop?){where}"
        if self.outcome == "memory":
            return f"`{self.label}` ran out of memory{where}"
        if self.outcome == "not_run":
            return f"`{self.label}` did not run: {self.error or 'the program ended first'}"
        if self.outcome == UNJUDGED:
            return f"`{self.label}` could not be judged in the sandbox: {self.error}"
        return f"`{self.label}` raised {self.error or 'an error'}{where}"


def check_results(suite: Suite, verdict: Mapping[str, Any] | None) -> list[CheckResult]:
    """One result per check of ``suite`` from a sandbox verdict (``[]`` when it did not run).

    Code that could not even load fails every check with the error that stopped it. An error
    that comes from what the sandbox withholds (a module, a file, the network) judges nothing:
    the check is :data:`~verify.checks.UNJUDGED`.
    """
    if verdict is None:
        return []
    run = RunVerdict.from_dict(verdict)
    results: list[CheckResult] = []
    for index, check in enumerate(suite.checks):
        if run.status != "ok":
            outcome = run.status if run.status in ("timeout", "memory") else "error"
            if outcome == "error" and beyond_sandbox(run.error):
                outcome = UNJUDGED
            results.append(_result(check, outcome, error=run.error))
            continue
        if index >= len(run.tests):
            results.append(_result(check, "not_run", error="the program ended before it"))
            continue
        test = run.tests[index]
        unjudged = test.outcome == "error" and beyond_sandbox(test.error)
        results.append(
            _result(
                check,
                UNJUDGED if unjudged else test.outcome,
                expected=test.expected,
                got=test.got,
                error=test.error,
                line=test.line,
            )
        )
    return results


def _result(
    check: Check,
    outcome: str,
    *,
    expected: str | None = None,
    got: str | None = None,
    error: str = "",
    line: int | None = None,
) -> CheckResult:
    return CheckResult(check.label, check.origin, outcome, expected, got, error, line)


def verdict_of(results: Sequence[CheckResult]) -> bool | None:
    """Whether every check of the task and the user passed (``None`` when none could be
    judged)."""
    own = [r for r in results if r.origin in VERDICT_ORIGINS and r.outcome != UNJUDGED]
    return all(r.passed for r in own) if own else None


def crashes(results: Sequence[CheckResult], code: str) -> list[CheckResult]:
    """The model's tests the code crashed on, when the task has no check of its own: an
    exception the code did not raise on purpose (the line that raised is no ``raise`` or
    ``assert`` statement of its own), a timeout, running out of memory.

    Where the task has examples or tests, they say which inputs are valid, and the model's
    tests may call outside them (an odd-length list where the task asks for an even one): a
    crash there is no evidence. A deliberate ``raise ValueError`` is an answer, not a crash.
    """
    if any(r.origin in VERDICT_ORIGINS for r in results):
        return []
    lines = code.splitlines()

    def on_purpose(result: CheckResult) -> bool:
        if result.outcome != "error" or not result.line or not 0 < result.line <= len(lines):
            return False
        return lines[result.line - 1].lstrip().startswith(("raise", "assert"))

    return [
        r
        for r in results
        if r.origin == "model" and r.outcome in ("error", "timeout", "memory") and not on_purpose(r)
    ]


def agreement(
    signatures: Sequence[tuple[str | None, ...] | None], passes: Sequence[int]
) -> list[int]:
    """CodeT's dual agreement: each candidate's cluster (same results on the model's tests)
    scored by its size times the tests its members pass; 0 for a candidate not run."""
    sizes = Counter(s for s in signatures if s is not None)
    return [sizes[s] * p if s is not None else 0 for s, p in zip(signatures, passes, strict=True)]


def normalised(code: str) -> str:
    """``code`` as Python sees it, to tell repeated answers: its syntax tree (no comments, no
    layout) with the names it binds (parameters, variables, loop targets) renamed in order of
    appearance, so that renaming a variable does not make an answer new; code that does not
    parse without trailing blanks on its lines."""
    tree = _tree(code)
    if tree is None:
        return "\n".join(line.rstrip() for line in code.strip().splitlines())
    try:
        return ast.dump(_BoundNames(tree).visit(tree))
    except RecursionError:
        return ast.dump(tree)


class _BoundNames(ast.NodeTransformer):
    """Renames the names ``tree`` binds (not functions, classes or imports) to ``_0``, ``_1``…"""

    def __init__(self, tree: ast.AST) -> None:
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.arg):
                name = node.arg
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            if name is not None:
                bound.setdefault(name, f"_{len(bound)}")
        self._names = bound

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self._names.get(node.arg, node.arg)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self._names.get(node.id, node.id)
        return node


def rank(candidates: Sequence[Candidate], suite: Suite, *, seen: Sequence[str] = ()) -> list[int]:
    """Indices of ``candidates`` best first; ``seen`` holds the codes of earlier attempts."""
    earlier = {normalised(code) for code in seen}
    results = [check_results(suite, c["verdict"]) for c in candidates]
    own = [sum(r.passed for r in rs if r.origin in VERDICT_ORIGINS) for rs in results]
    model = [[r for r in rs if r.origin == "model"] for rs in results]
    signatures = [
        tuple(r.got if r.outcome in ("passed", "failed") else r.outcome for r in rs) if rs else None
        for rs in model
    ]
    agree = agreement(signatures, [sum(r.passed for r in rs) for rs in model])

    def key(index: int) -> tuple[Any, ...]:
        candidate = candidates[index]
        judged = candidate["judged"]
        findings = judged["findings"] if judged else []
        errors = sum(f["severity"] in ("ERROR", "CRITICAL") for f in findings)
        return (
            normalised(candidate["code"]) not in earlier,
            own[index],
            agree[index],
            bool(judged and judged["clean"]),
            -errors,
            -len(findings),
            judged["completeness"] if judged else 0.0,
            candidate["score"],
            -index,
        )

    return sorted(range(len(candidates)), key=key, reverse=True)


def best_attempt(attempts: Sequence[Attempt]) -> int:
    """The index of the attempt a run returns: accepted first, then code that parses, whole
    code (not cut before an unsafe statement), the most checks passed, clean, fewer findings,
    and the later one on a tie (it saw the most evidence)."""

    def key(index: int) -> tuple[Any, ...]:
        attempt = attempts[index]
        checks = [CheckResult.from_dict(c) for c in attempt.get("checks") or []]
        errors = sum(f["severity"] in ("ERROR", "CRITICAL") for f in attempt["findings"])
        return (
            bool(attempt.get("accepted", attempt["clean"])),
            _tree(attempt["code"]) is not None,
            attempt["stop_reason"] != "no_safe_beam",
            sum(c.passed for c in checks if c.origin in VERDICT_ORIGINS),
            attempt["clean"],
            -errors,
            -len(attempt["findings"]),
            index,
        )

    if not attempts:
        raise ValueError("a run with no attempt has no best attempt")
    return max(range(len(attempts)), key=key)


def _tree(code: str) -> ast.Module | None:
    """``code``'s syntax tree; None where it does not parse."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
