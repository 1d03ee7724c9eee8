"""The driver that runs inside the sandbox; the host passes this file's text to ``python -c``.

It is never imported by the host. It runs on CPython 3.12 compiled to WASI and
imports only modules built into that interpreter (``_ast``, ``math``,
``posix``), because every module read from the embedded standard library costs
start-up time on each run. Its command line is::

    NONCE OUTPUT_CAP CODE SETUP [INDEX TEST]...

with every text hex-encoded UTF-8, so no byte of it can cut or bend the
command line. The driver executes CODE in a fresh namespace named
``candidate`` (a demo ``if __name__ == "__main__":`` block does not run), then
SETUP, then each TEST in order in that namespace; a test whose last statement
is ``assert A == B`` has A and B evaluated apart, so both can be reported. It
writes one line per event to file descriptor 1, each prefixed with NONCE::

    NONCE ('loaded',)                      code and setup ran
    NONCE ('load', OUTCOME, ERROR)         they raised: nothing else runs
    NONCE ('test', INDEX, OUTCOME, EXPECTED, GOT, ERROR, LINE)
    NONCE ('done',)                        the driver finished

The program's own ``sys.stdout`` and ``sys.stderr`` go to file descriptor 2,
cut after OUTPUT_CAP bytes; the nonce is kept out of the program's reach, so
nothing it prints can pass for a result.
"""

import _ast
import io
import math
import posix
import sys

CANDIDATE = "<candidate>"
SETUP = "<setup>"
TEST = "<test>"
REPR_CAP = 200
ERROR_CAP = 500
REL_TOL = 1e-6
ABS_TOL = 1e-9


class CappedOutput(io.TextIOBase):
    """The program's stdout and stderr: text to file descriptor 2, up to a byte budget."""

    encoding = "utf-8"

    def __init__(self, budget: int) -> None:
        super().__init__()
        self._left = budget

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if self._left > 0 and s:
            data = s[: self._left].encode("utf-8", "backslashreplace")[: self._left]
            self._left -= len(data)
            try:
                posix.write(2, data)
            except OSError:
                self._left = 0
        return len(s)


class Channel:
    """The results channel: one nonce-prefixed ``repr`` of a tuple per line, on fd 1."""

    def __init__(self, nonce: str) -> None:
        self._prefix = nonce.encode("ascii") + b" "
        self._write = posix.write  # bound now: code that patches posix.write cannot reach it

    def line(self, message: tuple[object, ...]) -> bytes:
        """The bytes that carry ``message``, built ahead when they must not allocate later."""
        return self._prefix + repr(message).encode("utf-8", "backslashreplace") + b"\n"

    def send(self, data: bytes) -> None:
        """Write ``data`` whole (or as much as fd 1 takes)."""
        while data:
            try:
                written = self._write(1, data)
            except OSError:
                return
            if written <= 0:
                return
            data = data[written:]


def decode(text: str) -> str:
    """One argument of the command line: hex-encoded UTF-8."""
    return bytes.fromhex(text).decode("utf-8", "surrogatepass")


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def safe_repr(value: object) -> str:
    """``repr(value)``, capped; a failing ``__repr__`` is described instead of raised."""
    try:
        return cap(repr(value), REPR_CAP)
    except MemoryError:
        raise
    except BaseException as exc:  # a __repr__ may raise anything, SystemExit included
        return f"<repr failed: {type(exc).__name__}>"


def last_line(exc: BaseException) -> str:
    """The exception as the last line of its traceback: ``ValueError: bad value``."""
    name = type(exc).__qualname__
    try:
        message = str(exc)
    except MemoryError:
        raise
    except BaseException:
        message = "<str() failed>"
    return cap(f"{name}: {message}" if message else name, ERROR_CAP)


def candidate_line(exc: BaseException) -> int | None:
    """The line of the candidate code the exception came through last, if any."""
    if isinstance(exc, SyntaxError) and exc.filename == CANDIDATE:
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == CANDIDATE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def raised_in(exc: BaseException, filename: str) -> bool:
    """Whether the innermost frame of the exception's traceback is in ``filename``."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename == filename


def close(a: object, b: object) -> bool:
    """``a == b``, except that numbers (also inside equal-shaped lists, tuples and dicts)
    need only be close: doctest examples print rounded floats."""
    if (
        isinstance(a, int | float)
        and isinstance(b, int | float)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        try:
            return a == b or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        except OverflowError:  # an int too large for a float
            return False
    if (isinstance(a, list) and isinstance(b, list)) or (
        isinstance(a, tuple) and isinstance(b, tuple)
    ):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return bool(a == b)


def equality_assert(tree: _ast.Module) -> tuple[_ast.expr, _ast.expr, _ast.expr | None] | None:
    """(A, B, message) when the test's last statement is ``assert A == B``."""
    last = tree.body[-1] if tree.body else None
    if (
        isinstance(last, _ast.Assert)
        and isinstance(last.test, _ast.Compare)
        and len(last.test.ops) == 1
        and isinstance(last.test.ops[0], _ast.Eq)
    ):
        return last.test.left, last.test.comparators[0], last.msg
    return None


def evaluate(node: _ast.expr, namespace: dict[str, object]) -> object:
    """The value of one expression of a test."""
    return eval(compile(_ast.Expression(body=node), TEST, "eval"), namespace)


def run_test(source: str, namespace: dict[str, object]) -> tuple[str, str | None, str | None, str]:
    """Run one test: (outcome, expected, got, error) when it raised nothing but a failed
    ``assert A == B``."""
    tree = compile(source, TEST, "exec", _ast.PyCF_ONLY_AST)
    if not isinstance(tree, _ast.Module):
        raise TypeError("a test must compile to a module")
    check = equality_assert(tree)
    if check is None:
        exec(compile(tree, TEST, "exec"), namespace)
        return "passed", None, None, ""
    left, right, message = check
    exec(compile(_ast.Module(body=tree.body[:-1], type_ignores=[]), TEST, "exec"), namespace)
    got = evaluate(left, namespace)
    expected = evaluate(right, namespace)
    got_repr, expected_repr = safe_repr(got), safe_repr(expected)
    if close(got, expected):
        return "passed", expected_repr, got_repr, ""
    error = "AssertionError"
    if message is not None:
        error = cap(f"AssertionError: {evaluate(message, namespace)}", ERROR_CAP)
    return "failed", expected_repr, got_repr, error


def outcome_of(exc: BaseException) -> str:
    """The outcome of a test that raised ``exc``."""
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, AssertionError) and raised_in(exc, TEST):
        return "failed"
    return "error"


def load(code: str, setup: str, namespace: dict[str, object]) -> tuple[str, str] | None:
    """Run the code, then the set-up; (outcome, error) if either raised."""
    phase = CANDIDATE
    try:
        exec(compile(code, CANDIDATE, "exec"), namespace)
        phase = SETUP
        if setup:
            exec(compile(setup, SETUP, "exec"), namespace)
    except BaseException as exc:  # the code may raise anything, SystemExit included
        outcome = "memory" if isinstance(exc, MemoryError) else "error"
        return outcome, cap(load_error(exc, phase), ERROR_CAP)
    return None


def load_error(exc: BaseException, phase: str) -> str:
    """The last line of what the code or set-up raised, and where: ``ValueError: bad (line 3)``,
    ``SyntaxError: invalid syntax (setup line 1)``; a bare line number is the code's."""
    where = ["setup"] if phase == SETUP else []
    if isinstance(exc, SyntaxError):
        text = f"{type(exc).__name__}: {exc.msg}"
        if exc.lineno is not None:
            where = [" ".join([*where, f"line {exc.lineno}"])]
    else:
        text, line = last_line(exc), candidate_line(exc)
        if line is not None:
            where.append(f"line {line}")
    return text + (f" ({', '.join(where)})" if where else "")


def main() -> None:
    """Read the command line, hide it, run everything and report on the channel."""
    args = sys.argv[1:]
    del sys.argv[1:]
    channel = Channel(args[0])
    output = CappedOutput(int(args[1]))
    code, setup = decode(args[2]), decode(args[3])
    tests = [(int(args[i]), decode(args[i + 1])) for i in range(4, len(args) - 1, 2)]
    del args
    sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = output
    namespace: dict[str, object] = {"__name__": "candidate", "__builtins__": __builtins__}
    failure = load(code, setup, namespace)
    if failure is not None:
        channel.send(channel.line(("load", *failure)))
        channel.send(channel.line(("done",)))
        return
    channel.send(channel.line(("loaded",)))
    for index, source in tests:
        out_of_memory = channel.line(("test", index, "memory", None, None, "MemoryError", None))
        try:
            report = channel.line(("test", index, *run_test(source, namespace), None))
        except BaseException as exc:  # a test may raise anything, SystemExit included
            try:
                outcome, error, line = outcome_of(exc), last_line(exc), candidate_line(exc)
                report = channel.line(("test", index, outcome, None, None, error, line))
            except MemoryError:
                report = out_of_memory
        channel.send(report)
    channel.send(channel.line(("done",)))


if __name__ == "__main__":
    main()
