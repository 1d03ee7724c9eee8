"""Completeness: is the generated code finished, or a stub that only looks clean?

ruff, pyright and the security verifier all pass ``def parse(s): pass``; this
checker does not. It reports placeholders, trivial bodies, a broken contract
with the user's stub and output cut off mid-way, and gives a confidence score.

Rules (ids are stable; a penalty of 1.0 sets the score to 0):

======  ==========================  ========  =======  ==========================================
id      name                        severity  penalty  reported for
======  ==========================  ========  =======  ==========================================
CP001   syntax-error                ERROR     1.0      code that does not parse
CP002   unbalanced                  ERROR     1.0      a bracket, string or backslash-continued
                                                       line left open at the end
CP003   incomplete-last-statement   ERROR     1.0      a syntax error in the last statement
CP004   stopped-on-max-tokens       ERROR     0.0      the generator stopped on its token limit
CP101   placeholder-comment         WARNING   0.3      a TODO / FIXME / XXX / "your code here" comment
CP102   placeholder-string          WARNING   0.3      the same markers in a docstring or bare string
CP103   placeholder-body            ERROR     0.3      ``pass``, ``...`` or ``raise NotImplementedError``
                                                       (or only a docstring) as a whole function body
CP104   not-implemented             WARNING   0.3      ``raise NotImplementedError`` elsewhere
CP105   trivial-body                ERROR     1.0      a function with parameters whose body ignores
                                                       them all and only returns a constant
CP201   missing-stub-function       ERROR     0.4      a function of the stub is absent
CP202   stub-signature-changed      ERROR     0.4      its parameters or return annotation changed
CP203   dropped-stub-import         WARNING   0.2      an import of the stub is absent
======  ==========================  ========  =======  ==========================================

The score starts at 1.0, loses each finding's penalty and is clamped to [0, 1].

Not reported: ``pass`` outside a function body (an ``except`` block, an empty
class); ``@abstractmethod`` methods of a class that declares itself abstract
(an ``ABC`` base, an ``ABCMeta`` metaclass, or an abstract base class of the
same module); ``@overload`` signatures; members of a ``Protocol``. The trivial
rule skips dunder methods (their signature is imposed) and parameters named
with a leading underscore (declared unused).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analysis.findings import Finding, Severity
from analysis.syntax import unclosed
from config.errors import UserError

TOOL = "completeness"


@dataclass(frozen=True)
class Rule:
    """A completeness rule: stable id, short name, severity and score penalty."""

    id: str
    name: str
    severity: Severity
    penalty: float


SYNTAX_ERROR = Rule("CP001", "syntax-error", Severity.ERROR, 1.0)
UNBALANCED = Rule("CP002", "unbalanced", Severity.ERROR, 1.0)
INCOMPLETE_LAST_STATEMENT = Rule("CP003", "incomplete-last-statement", Severity.ERROR, 1.0)
STOPPED_ON_MAX_TOKENS = Rule("CP004", "stopped-on-max-tokens", Severity.ERROR, 0.0)
PLACEHOLDER_COMMENT = Rule("CP101", "placeholder-comment", Severity.WARNING, 0.3)
PLACEHOLDER_STRING = Rule("CP102", "placeholder-string", Severity.WARNING, 0.3)
PLACEHOLDER_BODY = Rule("CP103", "placeholder-body", Severity.ERROR, 0.3)
NOT_IMPLEMENTED = Rule("CP104", "not-implemented", Severity.WARNING, 0.3)
TRIVIAL_BODY = Rule("CP105", "trivial-body", Severity.ERROR, 1.0)
MISSING_STUB_FUNCTION = Rule("CP201", "missing-stub-function", Severity.ERROR, 0.4)
STUB_SIGNATURE_CHANGED = Rule("CP202", "stub-signature-changed", Severity.ERROR, 0.4)
DROPPED_STUB_IMPORT = Rule("CP203", "dropped-stub-import", Severity.WARNING, 0.2)

RULES: tuple[Rule, ...] = (
    SYNTAX_ERROR,
    UNBALANCED,
    INCOMPLETE_LAST_STATEMENT,
    STOPPED_ON_MAX_TOKENS,
    PLACEHOLDER_COMMENT,
    PLACEHOLDER_STRING,
    PLACEHOLDER_BODY,
    NOT_IMPLEMENTED,
    TRIVIAL_BODY,
    MISSING_STUB_FUNCTION,
    STUB_SIGNATURE_CHANGED,
    DROPPED_STUB_IMPORT,
)
_PENALTY = {rule.id: rule.penalty for rule in RULES}

PLACEHOLDER_MARKER = re.compile(r"\b(?:TODO|FIXME|XXX)\b|(?i:\byour code (?:goes )?here\b)")
ABSTRACT_BASES = frozenset({"ABC"})
ABSTRACT_METACLASSES = frozenset({"ABCMeta"})
PROTOCOL_BASES = frozenset({"Protocol"})
ABSTRACT_DECORATORS = frozenset(
    {"abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod"}
)
OVERLOAD_DECORATORS = frozenset({"overload"})

_Function = ast.FunctionDef | ast.AsyncFunctionDef


class InvalidStubError(UserError):
    """The stub the user gave is not valid Python."""


@dataclass(frozen=True)
class CompletenessReport:
    """The completeness score in [0, 1] and the findings that lowered it, in source order."""

    score: float
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {"score": self.score, "findings": [f.to_dict() for f in self.findings]}


def check_completeness(
    code: str, *, stub: str | None = None, stopped_on_max_tokens: bool = False
) -> CompletenessReport:
    """Check ``code`` (the whole module, stub included) for everything in the module's table.

    Raises :class:`InvalidStubError` when ``stub`` is given and does not parse.
    """
    stub_tree = _parse_stub(stub) if stub is not None else None
    findings: list[Finding] = []
    if stopped_on_max_tokens:
        findings.append(_finding(STOPPED_ON_MAX_TOKENS, _last_code_line(code), 0,
                                 "generation stopped on the token limit; the code is likely cut off"))
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        findings.append(_syntax_finding(code, error))
    except ValueError as error:  # null bytes, on Python 3.11
        findings.append(_finding(SYNTAX_ERROR, 0, 0, f"syntax error: {error}"))
    else:
        findings.extend(_placeholder_comments(code))
        findings.extend(_placeholder_strings(tree))
        findings.extend(_FunctionChecker(tree).findings())
        if stub_tree is not None:
            findings.extend(_stub_contract(stub_tree, tree))
    score = 1.0 - sum(_PENALTY[f.rule] for f in findings)
    return CompletenessReport(round(min(1.0, max(0.0, score)), 6), tuple(sorted(findings)))


def _finding(rule: Rule, line: int, col: int, message: str) -> Finding:
    return Finding(line=line, col=col, tool=TOOL, rule=rule.id, severity=rule.severity,
                   message=message)


def _parse_stub(stub: str) -> ast.Module:
    try:
        return ast.parse(stub)
    except SyntaxError as error:
        raise InvalidStubError(
            f"the stub is not valid Python (line {error.lineno}: {error.msg}); fix the stub file"
        ) from None
    except ValueError as error:
        raise InvalidStubError(f"the stub is not valid Python ({error}); fix the stub file") from None


# --- unfinished output -------------------------------------------------------------------


def _last_code_line(code: str) -> int:
    lines = re.split(r"\r\n?|\n", code)  # Python's line ends only, unlike str.splitlines
    for number in range(len(lines), 0, -1):
        text = lines[number - 1].strip()
        if text and not text.startswith("#"):
            return number
    return 0


def _syntax_finding(code: str, error: SyntaxError) -> Finding:
    line, col = error.lineno or 0, error.offset or 0
    if unclosed(code):
        return _finding(UNBALANCED, line, col,
                        f"a bracket, string or continued line is left open: {error.msg}")
    if line >= _last_code_line(code):
        return _finding(INCOMPLETE_LAST_STATEMENT, line, col,
                        f"the last statement is incomplete: {error.msg}")
    return _finding(SYNTAX_ERROR, line, col, f"syntax error: {error.msg}")


# --- placeholders ------------------------------------------------------------------------


def _placeholder_comments(code: str) -> Iterator[Finding]:
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT and (match := PLACEHOLDER_MARKER.search(token.string)):
            line, col = token.start
            yield _finding(PLACEHOLDER_COMMENT, line, col + 1,
                           f"placeholder comment ({match.group()}): {token.string.strip()}")


def _placeholder_strings(tree: ast.Module) -> Iterator[Finding]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and (match := PLACEHOLDER_MARKER.search(node.value.value))
        ):
            yield _finding(PLACEHOLDER_STRING, node.lineno, node.col_offset + 1,
                           f"placeholder text ({match.group()}) in a string")


def _is_not_implemented(node: ast.stmt) -> bool:
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return _last_name(exc) == "NotImplementedError"


def _last_name(node: ast.expr) -> str | None:
    """``Protocol`` for ``Protocol``, ``typing.Protocol`` and ``Protocol[T]``; else None."""
    if isinstance(node, ast.Subscript | ast.Call):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _body_without_docstring(function: _Function) -> list[ast.stmt]:
    body = function.body
    if ast.get_docstring(function, clean=False) is not None:
        return body[1:]
    return body


def _is_placeholder_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass) or _is_not_implemented(node):
        return True
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and node.value.value is Ellipsis
    )


def _is_constant(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _returns_only_constant(body: list[ast.stmt]) -> bool:
    """A body that is empty, ``pass``, ``...``, ``return`` or ``return <literal>``."""
    if not body:
        return True
    if len(body) != 1:
        return False
    (statement,) = body
    if isinstance(statement, ast.Return):
        return statement.value is None or _is_constant(statement.value)
    return _is_placeholder_statement(statement) and not _is_not_implemented(statement)


class _FunctionChecker:
    """Placeholder bodies, trivial bodies and stray ``raise NotImplementedError``."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._abstract_classes: set[str] = set()
        self._accounted_raises: set[int] = set()
        self._found: list[Finding] = []

    def findings(self) -> list[Finding]:
        """All findings of this checker over the whole tree."""
        self._visit(self._tree, enclosing_class=None)
        for node in ast.walk(self._tree):
            if (
                isinstance(node, ast.stmt)
                and _is_not_implemented(node)
                and id(node) not in self._accounted_raises
            ):
                self._found.append(_finding(NOT_IMPLEMENTED, node.lineno, node.col_offset + 1,
                                            "raise NotImplementedError leaves a case unimplemented"))
        return self._found

    def _visit(self, parent: ast.AST, enclosing_class: ast.ClassDef | None) -> None:
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, ast.ClassDef):
                if self._declares_abstract(node):
                    self._abstract_classes.add(node.name)
                self._visit(node, enclosing_class=node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self._check_function(node, enclosing_class)
                self._visit(node, enclosing_class=None)
            else:
                self._visit(node, enclosing_class)

    def _declares_abstract(self, cls: ast.ClassDef) -> bool:
        bases = {_last_name(base) for base in cls.bases}
        metaclasses = {_last_name(k.value) for k in cls.keywords if k.arg == "metaclass"}
        return bool(
            bases & (ABSTRACT_BASES | self._abstract_classes)
            or metaclasses & ABSTRACT_METACLASSES
        )

    def _is_exempt(self, function: _Function, enclosing_class: ast.ClassDef | None) -> bool:
        decorators = {_last_name(d) for d in function.decorator_list}
        if decorators & OVERLOAD_DECORATORS:
            return True
        if enclosing_class is None:
            return False
        if {_last_name(base) for base in enclosing_class.bases} & PROTOCOL_BASES:
            return True
        return bool(decorators & ABSTRACT_DECORATORS) and enclosing_class.name in self._abstract_classes

    def _check_function(self, function: _Function, enclosing_class: ast.ClassDef | None) -> None:
        body = _body_without_docstring(function)
        if len(body) == 1 and _is_not_implemented(body[0]):
            self._accounted_raises.add(id(body[0]))
        if self._is_exempt(function, enclosing_class):
            return
        where = (function.lineno, function.col_offset + 1)
        if _returns_only_constant(body) and _has_used_parameters(function, enclosing_class):
            self._found.append(_finding(TRIVIAL_BODY, *where,
                                        f"`{function.name}` ignores its parameters and only "
                                        f"returns a constant (body: {_shown(body)})"))
        elif not body or all(_is_placeholder_statement(s) for s in body):
            self._found.append(_finding(PLACEHOLDER_BODY, *where,
                                        f"`{function.name}` has a placeholder body ({_shown(body)})"))


def _shown(body: list[ast.stmt]) -> str:
    return "; ".join(ast.unparse(statement) for statement in body) or "only a docstring"


def _has_used_parameters(function: _Function, enclosing_class: ast.ClassDef | None) -> bool:
    """Whether the function has named parameters it is expected to use."""
    if function.name.startswith("__") and function.name.endswith("__"):
        return False
    arguments = function.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    is_static = "staticmethod" in {_last_name(d) for d in function.decorator_list}
    if enclosing_class is not None and not is_static and names:
        names = names[1:]
    return any(not name.startswith("_") for name in names)


# --- contract with the stub --------------------------------------------------------------


def _functions(tree: ast.Module) -> dict[str, _Function]:
    """Top-level functions and methods of top-level classes, by qualified name."""
    found: dict[str, _Function] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.setdefault(node.name, node)
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.setdefault(f"{node.name}.{member.name}", member)
    return found


def _signature(function: _Function) -> str:
    """Parameters (kinds, names, annotations) and return annotation, defaults left out."""
    arguments = ast.arguments(
        posonlyargs=function.args.posonlyargs,
        args=function.args.args,
        vararg=function.args.vararg,
        kwonlyargs=function.args.kwonlyargs,
        kw_defaults=[None] * len(function.args.kwonlyargs),
        kwarg=function.args.kwarg,
        defaults=[],
    )
    returns = f" -> {ast.unparse(function.returns)}" if function.returns else ""
    return f"({ast.unparse(arguments)}){returns}"


def _imports(tree: ast.Module, *, top_level_only: bool) -> dict[str, ast.stmt]:
    """Each imported name, keyed by the statement that would import only it."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: dict[str, ast.stmt] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[ast.unparse(ast.Import(names=[alias]))] = node
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                single = ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                found[ast.unparse(single)] = node
    return found


def _stub_contract(stub: ast.Module, tree: ast.Module) -> Iterator[Finding]:
    produced = _functions(tree)
    for name, wanted in _functions(stub).items():
        got = produced.get(name)
        if got is None:
            yield _finding(MISSING_STUB_FUNCTION, 0, 0,
                           f"the stub's function `{name}{_signature(wanted)}` is missing")
        elif _signature(got) != _signature(wanted):
            yield _finding(STUB_SIGNATURE_CHANGED, got.lineno, got.col_offset + 1,
                           f"`{name}` changed its signature from {_signature(wanted)} "
                           f"to {_signature(got)}")
    kept = _imports(tree, top_level_only=False)
    for statement in _imports(stub, top_level_only=True):
        if statement not in kept:
            yield _finding(DROPPED_STUB_IMPORT, 0, 0, f"the stub's `{statement}` was dropped")
