"""A user's test file, read as a suite of checks of origin ``user``.

The file is parsed, never run. Module-level ``assert`` statements (and loops
or blocks holding asserts) become checks, in file order; so does each
``def test_*`` function (a call of it), each method ``test_*`` of a
``class Test*`` (``unittest`` cases through ``debug()``) and each case of a
``@pytest.mark.parametrize``. Definitions (imports, functions, classes) go
into the suite's set-up. A statement between asserts (``result = f(2)``) runs
just before the assert that follows it, so a rebinding keeps its order; one
that no module-level assert follows joins the set-up.

The code under test is already in the namespace the tests run in, so an
import of it is dropped: ``from X import f`` when X is not a standard-library
module (``from X import f as g`` becomes ``g = f``), and ``import X`` binds X
to that namespace. The tests run without pytest: ``parametrize`` is expanded,
a test marked ``skip``, ``skipif`` or ``xfail`` is left out, other marks are
ignored, and any other use of pytest is a user error, as are fixtures and
``async`` tests. Under ``if __name__ == "__main__":`` the
asserts are kept and calls (``unittest.main()``, ``print``) are dropped.
"""

from __future__ import annotations

import ast
import itertools
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from config.errors import UsageError
from verify.checks import Check, Suite, join_setups

#: pytest marks that leave a test out of the suite (it is not expected to pass).
SKIPPING_MARKS = frozenset({"skip", "skipif", "xfail"})
#: Module-level calls that would end or re-run the tests: dropped.
RUNNER_CALLS = frozenset({"main", "exit", "_exit"})


def load_tests(source: str, *, name: str) -> Suite:
    """The checks of a test file called ``name`` (for messages); ``UsageError`` with one line
    naming the file and the line when it does not parse, uses what the sandbox cannot run, or
    holds no test."""
    try:
        tree = ast.parse(source, filename=name)
    except SyntaxError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        raise UsageError(f"{name}: {where}{error.msg}") from None
    reader = _Reader(source, name)
    reader.reject_pytest_uses(tree)
    reader.read(tree.body, main_block=False)
    return reader.suite()


@dataclass
class _Reader:
    """Walks a test file's statements in order, sorting them into set-up and checks."""

    source: str
    name: str
    setup: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # statements waiting for the next assert
    tests: set[str] = field(default_factory=set)  # test functions and classes, by name

    def suite(self) -> Suite:
        """The suite read so far; ``UsageError`` when it holds no check."""
        if not self.checks:
            raise UsageError(
                f"{self.name}: no tests found: write module-level asserts or def test_... functions"
            )
        unique: dict[str, Check] = {}
        for check in self.checks:
            unique.setdefault(check.source, check)
        return Suite(tuple(unique.values()), join_setups(*self.setup, *self.pending))

    def read(self, body: Sequence[ast.stmt], *, main_block: bool) -> None:
        """Sort ``body``'s statements (the module's, or a ``__main__`` block's)."""
        for node in body:
            match node:
                case ast.Assert():
                    self.add_assert(node)
                case ast.Import() | ast.ImportFrom():
                    self.setup.extend(_imports(node))
                case ast.AsyncFunctionDef(name=test) if _is_test(test):
                    raise self.error(node, f"async test {test} is not supported")
                case ast.FunctionDef(name=test) if _is_test(test):
                    self.add_test_function(node)
                case ast.ClassDef(name=test) if test.startswith("Test"):
                    self.add_test_class(node)
                case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
                    self.setup.append(self.segment(node))
                case ast.If() if _is_main_guard(node.test):
                    self.read(node.body, main_block=True)
                case ast.Expr(value=ast.Constant(value=str())):
                    pass  # a docstring
                case ast.Expr() if main_block or self.is_runner_call(node.value):
                    pass
                case _ if any(isinstance(n, ast.Assert) for n in ast.walk(node)):
                    self.add_block(node)  # a loop or a with block of asserts
                case _:
                    self.pending.append(self.segment(node))

    def add_assert(self, node: ast.Assert) -> None:
        source = "\n".join([*self.pending, self.segment(node)])
        self.pending.clear()
        self.checks.append(Check(source, "user", ast.unparse(node.test)))

    def add_block(self, node: ast.stmt) -> None:
        segment = self.segment(node)
        first, *rest = segment.strip().splitlines()
        label = f"line {node.lineno}: {first.strip()}" + (" ..." if rest else "")
        self.checks.append(Check("\n".join([*self.pending, segment]), "user", label))
        self.pending.clear()

    def add_test_function(self, node: ast.FunctionDef) -> None:
        kept: list[str] = []
        cases: list[list[tuple[str, str]]] = [[]]  # each case: (parameter, value source) pairs
        for decorator in node.decorator_list:
            mark = _pytest_mark(decorator)
            if mark is None:
                kept.append(f"@{self.segment(decorator)}")
            elif mark in SKIPPING_MARKS:
                self.tests.add(node.name)
                return
            elif mark == "parametrize" and isinstance(decorator, ast.Call):
                cases = [a + b for a, b in itertools.product(cases, self.parametrize(decorator))]
        covered = {parameter for parameter, _ in cases[0]} if cases else set()
        required = _required_parameters(node.args)
        if missing := [p for p in required if p not in covered]:
            raise self.error(
                node,
                f"{node.name} takes {', '.join(missing)}: pytest fixtures are not supported",
            )
        self.tests.add(node.name)
        self.setup.append("\n".join([*kept, self.segment(node)]))
        for case in cases:
            arguments = ", ".join(f"{p}={v}" for p, v in case)
            label = f"{node.name}[{'-'.join(v for _, v in case)}]" if case else node.name
            self.checks.append(Check(f"{node.name}({arguments})", "user", label))

    def add_test_class(self, node: ast.ClassDef) -> None:
        self.tests.add(node.name)
        self.setup.append(self.segment(node))
        unittest = bool(node.bases)
        for method in node.body:
            if isinstance(method, ast.AsyncFunctionDef) and _is_test(method.name):
                raise self.error(method, f"async test {method.name} is not supported")
            if not (isinstance(method, ast.FunctionDef) and _is_test(method.name)):
                continue
            call = (
                f"{node.name}({method.name!r}).debug()"  # unittest: setUp, the test, tearDown
                if unittest
                else f"{node.name}().{method.name}()"
            )
            self.checks.append(Check(call, "user", f"{node.name}.{method.name}"))

    def parametrize(self, decorator: ast.Call) -> list[list[tuple[str, str]]]:
        """The cases of ``@pytest.mark.parametrize(names, values)``."""
        if len(decorator.args) < 2:
            raise self.error(decorator, "parametrize needs argument names and values")
        names_node, values_node = decorator.args[:2]
        names = _argument_names(names_node)
        if names is None:
            raise self.error(decorator, "parametrize argument names must be written as strings")
        if not isinstance(values_node, ast.List | ast.Tuple):
            raise self.error(decorator, "parametrize values must be written as a list")
        cases: list[list[tuple[str, str]]] = []
        for value in values_node.elts:
            value = _unwrapped_param(value)
            if len(names) == 1:
                items: list[ast.expr] = [value]
            elif isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(names):
                items = value.elts
            else:
                raise self.error(value, f"a parametrize case must give {len(names)} values")
            cases.append([(n, ast.unparse(v)) for n, v in zip(names, items, strict=True)])
        return cases

    def reject_pytest_uses(self, tree: ast.Module) -> None:
        """``UsageError`` at the first use of pytest that the sandbox cannot run."""
        marks = {
            id(node)
            for decorator in _test_decorators(tree)
            if _pytest_mark(decorator) is not None
            for node in ast.walk(decorator)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "pytest" and id(node) not in marks:
                raise self.error(
                    node, "this use of pytest is not supported (the tests run without pytest)"
                )
            if unsupported := _unsupported_pytest_imports(node):
                raise self.error(
                    node,
                    f"pytest's {unsupported[0]} is not supported (the tests run without pytest)",
                )

    def is_runner_call(self, node: ast.expr) -> bool:
        """Whether ``node`` calls a test (already a check) or a test runner or exit."""
        if not isinstance(node, ast.Call):
            return False
        match node.func:
            case ast.Name(id=called):
                return called in self.tests or called in RUNNER_CALLS
            case ast.Attribute(attr=called):
                return called in RUNNER_CALLS
        return False

    def segment(self, node: ast.AST) -> str:
        """The source of ``node`` as written, dedented."""
        text = ast.get_source_segment(self.source, node, padded=True)
        return textwrap.dedent(text) if text is not None else ast.unparse(node)

    def error(self, node: ast.AST, message: str) -> UsageError:
        return UsageError(f"{self.name}: line {getattr(node, 'lineno', 0)}: {message}")


def _is_test(name: str) -> bool:
    return name.startswith("test")


def _imports(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The set-up an import becomes: kept from the standard library, else bound to the
    namespace the code under test already runs in."""
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if module == "__future__":
            return
        if node.level == 0 and _is_stdlib(module):
            yield ast.unparse(node)
            return
        for alias in node.names:
            if alias.asname and alias.asname != alias.name:
                yield f"{alias.asname} = {alias.name}"
        return
    for alias in node.names:
        top = alias.name.split(".")[0]
        if _is_stdlib(top):
            yield ast.unparse(ast.Import(names=[alias]))
        elif top != "pytest":
            yield f"{alias.asname or top} = __import__('types').SimpleNamespace(**globals())"


def _unsupported_pytest_imports(node: ast.AST) -> list[str]:
    """The names ``from pytest import ...`` takes other than ``mark`` and ``param``."""
    if not (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pytest"):
        return []
    return [alias.name for alias in node.names if alias.name not in ("mark", "param")]


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _is_main_guard(test: ast.expr) -> bool:
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _pytest_mark(decorator: ast.expr) -> str | None:
    """``parametrize`` for ``@pytest.mark.parametrize(...)`` (or ``@mark.parametrize``); the
    mark's name for any other pytest mark; None for a decorator that is not a pytest mark."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    parts: list[str] = []
    while isinstance(target, ast.Attribute):
        parts.append(target.attr)
        target = target.value
    if isinstance(target, ast.Name):
        parts.append(target.id)
    parts.reverse()
    if len(parts) >= 2 and parts[-2] == "mark" and parts[0] in ("pytest", "mark"):
        return parts[-1]
    return None


def _test_decorators(tree: ast.Module) -> Iterator[ast.expr]:
    """The decorators of the module's test functions (in a ``__main__`` block too)."""
    bodies = [tree.body]
    bodies += [n.body for n in tree.body if isinstance(n, ast.If) and _is_main_guard(n.test)]
    for body in bodies:
        for node in body:
            if isinstance(node, ast.FunctionDef) and _is_test(node.name):
                yield from node.decorator_list


def _argument_names(node: ast.expr) -> list[str] | None:
    """The names of ``parametrize("a, b", ...)`` or ``parametrize(("a", "b"), ...)``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [n.strip() for n in node.value.split(",") if n.strip()]
    if isinstance(node, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [str(e.value).strip() for e in node.elts if isinstance(e, ast.Constant)]
    return None


def _unwrapped_param(value: ast.expr) -> ast.expr:
    """The values of ``pytest.param(a, b, id=...)`` as a tuple; ``value`` otherwise."""
    if isinstance(value, ast.Call) and (
        (isinstance(value.func, ast.Attribute) and value.func.attr == "param")
        or (isinstance(value.func, ast.Name) and value.func.id == "param")
    ):
        return value.args[0] if len(value.args) == 1 else ast.Tuple(elts=value.args, ctx=ast.Load())
    return value


def _required_parameters(arguments: ast.arguments) -> list[str]:
    """The parameters a call must give: those without a default."""
    positional = [*arguments.posonlyargs, *arguments.args]
    without_default = positional[: len(positional) - len(arguments.defaults)]
    keyword_only = [
        a for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d is None
    ]
    return [a.arg for a in (*without_default, *keyword_only)]
