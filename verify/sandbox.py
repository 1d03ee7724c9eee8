"""Run code and its tests where they can do nothing else, and return a verdict.

The code runs on CPython 3.12 compiled to WASI (:mod:`verify.runtime`), in a
wasmtime instance that has no preopened directory, no socket, no process, no
environment variable and no stdin. Each instance is bounded in fuel (wasm
instructions), linear memory and wall-clock time (epoch interruption; the
guest's sleeps and clock waits are served by the host and end at the same
deadline). The driver inside (:mod:`verify.guest`) loads the code, runs each
test and reports each result on its own channel as soon as it has one; a test
that exhausts a limit or crashes the interpreter gets its verdict from the trap,
and the tests after it run on a fresh instance.

Nothing the guest does raises into the host: every trap, exit and error becomes
a verdict. :meth:`Sandbox.open` raises ``SandboxUnavailable`` when the runtime
is missing or damaged; nothing else does.
"""

from __future__ import annotations

import ast
import os
import secrets
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, get_args

from wasmtime import (
    Caller,
    Engine,
    ExitTrap,
    Func,
    FuncType,
    InstancePre,
    Linker,
    Memory,
    Module,
    Store,
    Trap,
    TrapCode,
    ValType,
    WasiConfig,
    WasmtimeError,
)

from verify.runtime import load_module, new_engine, runtime_path

Outcome = Literal["passed", "failed", "error", "timeout", "memory", "not_run"]
Status = Literal["ok", "error", "timeout", "memory"]

GUEST_SOURCE = Path(__file__).with_name("guest.py")
PYTHON_FLAGS = ("-I", "-S")  # isolated (no environment, no user site), no site module: faster
MAX_RESULT_LINE = 64 << 10  # longer lines on the results channel are the program's own output


@dataclass(frozen=True)
class Limits:
    """What one sandbox instance may spend; a run starts a fresh instance after a trap."""

    fuel: int = 5_000_000_000  # wasm fuel per sandbox instance
    memory_bytes: int = 256 << 20
    seconds: float = 5.0  # wall clock per instance (epoch interruption)
    output_bytes: int = 64 << 10  # of the program's own stdout+stderr kept


@dataclass(frozen=True)
class TestVerdict:
    """What one test did."""

    __test__ = False  # not a pytest test class

    source: str  # the test as given
    outcome: Outcome
    expected: str | None = None  # repr of B when the test's last statement is `assert A == B`
    got: str | None = None  # repr of A (also when the test passed)
    error: str = ""  # the exception's last line; "AssertionError" (+ message) for a failed assert
    line: int | None = None  # line of the candidate code the exception came through, if any

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestVerdict:
        """The verdict ``to_dict`` made; ``ValueError`` on an unknown outcome."""
        outcome = data["outcome"]
        if outcome not in get_args(Outcome):
            raise ValueError(f"unknown test outcome {outcome!r}")
        line = data.get("line")
        return cls(
            source=str(data["source"]),
            outcome=outcome,
            expected=_optional_str(data.get("expected")),
            got=_optional_str(data.get("got")),
            error=str(data.get("error", "")),
            line=int(line) if line is not None else None,
        )


@dataclass(frozen=True)
class RunVerdict:
    """What the code and its tests did in the sandbox."""

    status: Status  # "error": the code (or setup) raised while loading; timeout/memory: likewise
    error: str  # the last line of that exception (or what trapped), "" when ok
    tests: tuple[TestVerdict, ...]
    seconds: float
    output: str  # the program's own stdout/stderr, capped at Limits.output_bytes

    @property
    def passed(self) -> bool:
        """The code loaded and every test passed (True with no tests)."""
        return self.status == "ok" and all(t.outcome == "passed" for t in self.tests)

    @property
    def n_passed(self) -> int:
        """How many tests passed."""
        return sum(t.outcome == "passed" for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "status": self.status,
            "error": self.error,
            "tests": [t.to_dict() for t in self.tests],
            "seconds": self.seconds,
            "output": self.output,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunVerdict:
        """The verdict ``to_dict`` made; ``ValueError`` on an unknown status."""
        status = data["status"]
        if status not in get_args(Status):
            raise ValueError(f"unknown run status {status!r}")
        return cls(
            status=status,
            error=str(data.get("error", "")),
            tests=tuple(TestVerdict.from_dict(t) for t in data.get("tests", ())),
            seconds=float(data.get("seconds", 0.0)),
            output=str(data.get("output", "")),
        )


class Sandbox:
    """CPython on WASI under wasmtime: engine, compiled module and linker built once;
    :meth:`run` is the only way in. Safe to share between threads (one instance at a time)."""

    def __init__(
        self, limits: Limits, engine: Engine, linker: Linker, module: Module, host: _Host
    ) -> None:
        """Use :meth:`open`."""
        self._limits = limits
        self._engine = engine
        self._linker = linker
        self._module = module
        self._pre: InstancePre | None = linker.instantiate_pre(module)
        self._host = host
        self._guest = GUEST_SOURCE.read_text(encoding="utf-8")
        self._lock = threading.Lock()

    @classmethod
    def open(cls, limits: Limits = Limits(), *, runtime: Path | None = None) -> Sandbox:
        """A sandbox on the runtime at ``runtime`` (default: the installed one).

        Raises ``SandboxUnavailable`` when the runtime is missing or damaged; compiles it
        (10-20 s) only when set-up did not.
        """
        engine = new_engine()
        module = load_module(engine, runtime if runtime is not None else runtime_path())
        host = _Host(limits.seconds)
        linker = Linker(engine)
        linker.define_wasi()
        host.define(linker)
        return cls(limits, engine, linker, module, host)

    @property
    def limits(self) -> Limits:
        """The bounds of every instance."""
        return self._limits

    def run(self, code: str, tests: Sequence[str] = (), *, setup: str = "") -> RunVerdict:
        """Load ``code`` (as module ``candidate``), run ``setup``, then each test in its
        namespace; the verdict says what each did. Nothing the code does raises here."""
        started = time.perf_counter()
        tests = tuple(tests)
        with self._lock, _signal_wakeup() as wake:
            pre = self._pre
            if pre is None:
                raise RuntimeError("the sandbox is closed")
            output = _Output(self._limits.output_bytes)
            verdicts: dict[int, TestVerdict] = {}
            status: Status = "ok"
            error = ""
            pending = list(range(len(tests)))
            first = True
            while True:
                result = self._instance(
                    pre, code, setup, [(i, tests[i]) for i in pending], output, wake
                )
                if result.signalled:  # a signal whose handler did not raise: run them again
                    for index, verdict in result.tests.items():
                        verdicts.setdefault(index, verdict)
                    pending = [i for i in pending if i not in verdicts]
                    if pending:
                        continue
                    break
                if not result.loaded:
                    kind, text = result.load_failure or result.end
                    if first:
                        status, error = _status(kind), text
                    else:
                        for i in pending:
                            verdicts[i] = TestVerdict(
                                tests[i], "not_run",
                                error=f"the code did not load again on a fresh instance: {text}",
                            )  # fmt: skip
                    break
                first = False
                for index, verdict in result.tests.items():
                    if index in pending:
                        verdicts[index] = verdict
                pending = [i for i in pending if i not in verdicts]
                if result.done or not pending:
                    break
                culprit = pending.pop(0)  # the driver runs tests in order: this one was running
                outcome, text = result.end
                verdicts[culprit] = TestVerdict(tests[culprit], _outcome(outcome), error=text)
                if not pending:
                    break
        return RunVerdict(
            status=status,
            error=error,
            tests=tuple(verdicts.get(i, TestVerdict(t, "not_run")) for i, t in enumerate(tests)),
            seconds=time.perf_counter() - started,
            output=output.text(),
        )

    def close(self) -> None:
        """Free the compiled module, linker and engine now; later runs raise ``RuntimeError``."""
        with self._lock:
            if self._pre is not None:
                self._pre.close()
                self._pre = None
                self._linker.close()
                self._module.close()
                self._engine.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _instance(
        self,
        pre: InstancePre,
        code: str,
        setup: str,
        tests: list[tuple[int, str]],
        output: _Output,
        wake: int | None = None,
    ) -> _InstanceResult:
        """One fresh instance: load the code, run ``tests``, collect what it reported."""
        limits = self._limits
        channel = _Channel(secrets.token_hex(8), output)
        argv = ["python", *PYTHON_FLAGS, "-c", self._guest, channel.nonce, str(output.left)]
        argv += [_hex(code), _hex(setup)]
        for index, source in tests:
            argv += [str(index), _hex(source)]
        wasi = WasiConfig()
        wasi.argv = argv
        store = Store(self._engine)
        deadline = self._host.start(
            self._engine, stdout=channel.feed, stderr=output.add, wake=wake
        )
        try:
            store.set_wasi(wasi)
            store.set_fuel(limits.fuel)
            store.set_limits(memory_size=limits.memory_bytes)
            store.set_epoch_deadline(1)
            instance = pre.instantiate(store)
            start = instance.exports(store)["_start"]
            if isinstance(start, Func):
                start(store)
                end = ("error", "the interpreter stopped before the driver finished")
            else:
                end = ("error", "the sandbox runtime has no _start function")
        except ExitTrap as exc:
            end = ("error", f"the interpreter exited with status {exc.code} before it reported")
        except Trap as exc:
            end = self._trap_end(exc, output)
        except WasmtimeError as exc:
            end = ("error", f"wasmtime: {_first_line(exc)}")
        except Exception as exc:  # a fault in the host's own callbacks must not escape either
            end = ("error", f"sandbox host error: {type(exc).__name__}: {_first_line(exc)}")
        finally:
            deadline.cancel()
            store.close()  # now, not when a trap's reference cycle is collected (maybe at exit)
            channel.close()
        return _InstanceResult(
            loaded=channel.loaded,
            load_failure=channel.load_failure,
            tests={
                i: TestVerdict(source=s, **channel.tests[i]) for i, s in tests if i in channel.tests
            },
            done=channel.done,
            end=end,
            signalled=deadline.signalled.is_set(),
        )

    def _trap_end(self, trap: Trap, output: _Output) -> tuple[str, str]:
        """(outcome, error) for an instance that trapped."""
        code = trap.trap_code
        if code == TrapCode.OUT_OF_FUEL:
            return "timeout", f"ran out of fuel ({self._limits.fuel:,} wasm instructions)"
        if code == TrapCode.INTERRUPT:
            return "timeout", f"ran past the {self._limits.seconds:g} s wall-clock limit"
        if code == TrapCode.STACK_OVERFLOW:
            return "error", "stack overflow: the recursion is too deep for the sandbox's stack"
        if code == TrapCode.MEMORY_OUT_OF_BOUNDS:
            return "error", (
                "the interpreter crashed on an out-of-bounds memory access "
                "(most likely its C stack overflowed in a deep recursion)"
            )
        if code == TrapCode.UNREACHABLE and output.mentions_memory():
            return "memory", f"out of memory at the {self._limits.memory_bytes:,} byte limit"
        return "error", f"the interpreter crashed: {_first_line(trap)}"


@dataclass
class _InstanceResult:
    loaded: bool
    load_failure: tuple[str, str] | None
    tests: dict[int, TestVerdict]
    done: bool
    end: tuple[str, str]  # (outcome, error) for whatever was running when it stopped
    signalled: bool = False  # a signal (Ctrl-C) interrupted it: its end is no verdict


class _Output:
    """The program's own output over all instances of one run, kept up to a byte budget."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._data = bytearray()

    @property
    def left(self) -> int:
        """Bytes that can still be kept."""
        return self._budget - len(self._data)

    def add(self, data: bytes) -> None:
        """Keep what fits (called from the guest's ``fd_write``: it must not raise)."""
        left = self.left
        if left > 0:
            self._data += data[:left]

    def mentions_memory(self) -> bool:
        tail = bytes(self._data[-2000:])
        return b"MemoryError" in tail or b"out of memory" in tail

    def text(self) -> str:
        """The output as text, no more than the budget in UTF-8."""
        text = bytes(self._data).decode("utf-8", "replace")  # U+FFFD may outgrow a bad byte
        return text.encode("utf-8")[: self._budget].decode("utf-8", "ignore")


class _Channel:
    """File descriptor 1 of one instance: nonce-prefixed result lines from the driver, any
    other bytes are the program's output."""

    def __init__(self, nonce: str, output: _Output) -> None:
        self.nonce = nonce
        self._marker = nonce.encode("ascii") + b" "
        self._output = output
        self._pending = bytearray()
        self.loaded = False
        self.load_failure: tuple[str, str] | None = None
        self.tests: dict[int, dict[str, Any]] = {}
        self.done = False

    def feed(self, data: bytes) -> None:
        """Take what fd 1 wrote (called from the guest's ``fd_write``: it must not raise)."""
        self._pending += data
        while (end := self._pending.find(b"\n")) >= 0:
            line = bytes(self._pending[:end])
            del self._pending[: end + 1]
            self._line(line)
        if len(self._pending) > MAX_RESULT_LINE:
            self._output.add(bytes(self._pending))
            self._pending.clear()

    def close(self) -> None:
        """The instance ended: what is left unterminated is the program's."""
        self._output.add(bytes(self._pending))
        self._pending.clear()

    def _line(self, line: bytes) -> None:
        at = line.find(self._marker)
        if at < 0:
            self._output.add(line + b"\n")
            return
        self._output.add(line[:at])
        try:
            message = ast.literal_eval(line[at + len(self._marker) :].decode("utf-8"))
        except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
            return
        if not isinstance(message, tuple) or not message:
            return
        self._message(message)

    def _message(self, message: tuple[Any, ...]) -> None:
        match message:
            case ("loaded",):
                self.loaded = True
            case ("load", str(outcome), str(error)):
                self.load_failure = (outcome, error)
            case ("test", int(index), str(outcome), expected, got, str(error), line):
                self.tests[index] = {
                    "outcome": _outcome(outcome),
                    "expected": _optional_str(expected),
                    "got": _optional_str(got),
                    "error": error,
                    "line": line if isinstance(line, int) else None,
                }
            case ("done",):
                self.done = True
            case _:
                pass


class _Deadline:
    """Interrupts the running instance ``seconds`` after it starts, by bumping the epoch, or
    as soon as a byte arrives on ``wake`` (a signal's wakeup descriptor: Ctrl-C)."""

    def __init__(self, engine: Engine, seconds: float, wake: int | None = None) -> None:
        self.expired = threading.Event()
        self.signalled = threading.Event()
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(
            target=self._wait, args=(engine, seconds, wake), name="sandbox-deadline", daemon=True
        )
        self._thread.start()

    def cancel(self) -> None:
        """Stop the timer; once this returns, it can no longer interrupt anything."""
        os.write(self._stop_w, b"x")
        self._thread.join()
        os.close(self._stop_r)
        os.close(self._stop_w)

    def _wait(self, engine: Engine, seconds: float, wake: int | None) -> None:
        watched = [self._stop_r] if wake is None else [self._stop_r, wake]
        ready, _, _ = select.select(watched, [], [], seconds)
        if self._stop_r in ready:
            return
        engine.increment_epoch()  # first: a wait that ends on the events must find it bumped
        if ready:
            self.signalled.set()
        else:
            self.expired.set()


@contextmanager
def _signal_wakeup() -> Iterator[int | None]:
    """A descriptor a byte arrives on when the process gets a signal Python handles (Ctrl-C),
    while the main thread is inside wasm code, where Python's own handler cannot run; None off
    the main thread. The previous wakeup descriptor gets the same bytes, and comes back after."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    os.set_blocking(read, False)
    previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    try:
        yield read
    finally:
        signal.set_wakeup_fd(previous)
        with suppress(OSError):
            pending = os.read(read, 512)
            if previous >= 0 and pending:
                os.write(previous, pending)
        os.close(read)
        os.close(write)


WASI = "wasi_snapshot_preview1"
ERRNO_SUCCESS, ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL = 0, 8, 21, 28
CLOCK_REALTIME, CLOCK_MONOTONIC = 0, 1
EVENTTYPE_CLOCK = 0
SUBCLOCKFLAGS_ABSTIME = 1
SUBSCRIPTION_SIZE, EVENT_SIZE, IOVEC_SIZE = 48, 32, 8
MAX_WRITE_KEPT = 1 << 20


class _Host:
    """WASI calls the host serves itself, in place of wasmtime's own.

    Clocks and waits, so that no sleep outlasts the instance's deadline (wasmtime's
    ``poll_oneoff`` blocks in the host, beyond the reach of epoch interruption); and writes to
    stdout and stderr, which go straight to the run's sinks on the calling thread (wasmtime's
    custom output streams call back into Python from its tokio threads, which can happen while
    the interpreter exits, and then abort it).
    """

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._deadline: _Deadline | None = None
        self._sinks: dict[int, Callable[[bytes], None]] = {}

    def start(
        self,
        engine: Engine,
        *,
        stdout: Callable[[bytes], None],
        stderr: Callable[[bytes], None],
        wake: int | None = None,
    ) -> _Deadline:
        """Serve the instance about to run: its deadline (or a signal on ``wake``), where its
        fd 1 and fd 2 go."""
        self._sinks = {1: stdout, 2: stderr}
        self._deadline = _Deadline(engine, self._seconds, wake)
        return self._deadline

    def define(self, linker: Linker) -> None:
        """Put ``clock_time_get``, ``poll_oneoff`` and ``fd_write`` in place of WASI's own."""
        i32, i64 = ValType.i32(), ValType.i64()
        linker.allow_shadowing = True
        linker.define_func(
            WASI, "clock_time_get", FuncType([i32, i64, i32], [i32]), self.clock_time_get,
            access_caller=True,
        )  # fmt: skip
        linker.define_func(
            WASI, "poll_oneoff", FuncType([i32, i32, i32, i32], [i32]), self.poll_oneoff,
            access_caller=True,
        )  # fmt: skip
        linker.define_func(
            WASI, "fd_write", FuncType([i32, i32, i32, i32], [i32]), self.fd_write,
            access_caller=True,
        )  # fmt: skip
        linker.allow_shadowing = False

    def fd_write(self, caller: Caller, fd: int, iovs: int, iovs_len: int, n_out: int) -> int:
        """Hand what the guest writes to fd 1 or 2 to the sink (the first MiB of each call; the
        rest is counted as written and dropped); there is no other descriptor to write to."""
        sink = self._sinks.get(fd)
        if sink is None:
            return ERRNO_BADF
        memory = caller["memory"]
        if not isinstance(memory, Memory) or iovs_len < 0:
            return ERRNO_FAULT
        vectors = memory.read(caller, iovs, iovs + IOVEC_SIZE * iovs_len)
        if len(vectors) != IOVEC_SIZE * iovs_len:
            return ERRNO_FAULT
        data = bytearray()
        written = 0
        for k in range(iovs_len):
            address, length = struct.unpack_from("<II", vectors, IOVEC_SIZE * k)
            keep = max(0, min(length, MAX_WRITE_KEPT - len(data)))
            if keep:
                chunk = memory.read(caller, address, address + keep)
                if len(chunk) != keep:
                    return ERRNO_FAULT
                data += chunk
            written += length
        sink(bytes(data))
        return _write(caller, n_out, struct.pack("<I", written))

    def clock_time_get(self, caller: Caller, clock_id: int, _precision: int, out: int) -> int:
        now = _now_ns(clock_id)
        if now is None:
            return ERRNO_INVAL
        return _write(caller, out, struct.pack("<Q", now))

    def poll_oneoff(self, caller: Caller, subs: int, events: int, count: int, n_out: int) -> int:
        """Answer fd subscriptions at once (no descriptor here can block) and clock ones after
        the shortest wait, which ends early at the deadline."""
        if count <= 0:
            return ERRNO_INVAL
        memory = caller["memory"]
        if not isinstance(memory, Memory):
            return ERRNO_FAULT
        raw = memory.read(caller, subs, subs + SUBSCRIPTION_SIZE * count)
        if len(raw) != SUBSCRIPTION_SIZE * count:
            return ERRNO_FAULT
        ready: list[tuple[int, int, int]] = []  # (userdata, errno, type)
        clocks: list[tuple[int, int]] = []  # (ns to wait, userdata)
        for k in range(count):
            offset = SUBSCRIPTION_SIZE * k
            userdata, kind = struct.unpack_from("<QB", raw, offset)
            if kind != EVENTTYPE_CLOCK:
                ready.append((userdata, ERRNO_SUCCESS, kind))
                continue
            clock_id, timeout, _precision, flags = struct.unpack_from("<IxxxxQQH", raw, offset + 16)
            now = _now_ns(clock_id)
            if now is None:
                ready.append((userdata, ERRNO_INVAL, kind))
            else:
                clocks.append(
                    (timeout - now if flags & SUBCLOCKFLAGS_ABSTIME else timeout, userdata)
                )
        if not ready and clocks:
            wait_ns = min(ns for ns, _ in clocks)
            if wait_ns > 0:
                self._sleep(wait_ns / 1e9)
            ready = [
                (userdata, ERRNO_SUCCESS, EVENTTYPE_CLOCK)
                for ns, userdata in clocks
                if ns <= wait_ns
            ]
        out = bytearray(EVENT_SIZE * len(ready))
        for k, (userdata, errno, kind) in enumerate(ready):
            struct.pack_into("<QHB", out, EVENT_SIZE * k, userdata, errno, kind)
        status = _write(caller, events, bytes(out))
        return status or _write(caller, n_out, struct.pack("<I", len(ready)))

    def _sleep(self, seconds: float) -> None:
        deadline = self._deadline
        if deadline is not None:
            deadline.expired.wait(seconds)  # returns at once when the deadline has passed
        else:
            time.sleep(min(seconds, self._seconds))


def _now_ns(clock_id: int) -> int | None:
    if clock_id == CLOCK_REALTIME:
        return time.time_ns()
    if clock_id == CLOCK_MONOTONIC:
        return time.monotonic_ns()
    return None


def _write(caller: Caller, address: int, data: bytes) -> int:
    memory = caller["memory"]
    if not isinstance(memory, Memory):
        return ERRNO_FAULT
    try:
        memory.write(caller, data, address)
    except (IndexError, WasmtimeError):
        return ERRNO_FAULT
    return ERRNO_SUCCESS


def _hex(text: str) -> str:
    return text.encode("utf-8", "surrogatepass").hex()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _outcome(value: str) -> Outcome:
    for outcome in get_args(Outcome):
        if value == outcome:
            return outcome
    return "error"


def _status(value: str) -> Status:
    for status in get_args(Status):
        if value == status:
            return status
    return "error"
