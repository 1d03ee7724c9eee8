"""Run a benchmark program in a locked-down subprocess (benchmark harness only).

The product never executes generated code. Scoring HumanEval needs to, so the
harness runs each program in a fresh isolated interpreter (``python -I``)
with a wall-clock timeout, resource limits (address space, CPU seconds, file
size, no core files), an empty temporary directory as its working directory
and a minimal environment. A run passes only if the program exits with status
0 *and* reaches its end: the runner appends a line that writes a token drawn
afresh for each run, so code that ends the interpreter early with status 0
(``sys.exit(0)``, ``os._exit(0)``, ``unittest.main()``) before the tests have
run fails. This limits accidents; it is not a security boundary against
hostile code.
"""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["passed", "failed", "timeout"]

ERROR_TAIL_CHARS = 2000
EARLY_EXIT = "\nexit status 0 before the end of the program (sys.exit, os._exit or unittest.main?)"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run."""

    timeout_s: float = 10.0
    memory_bytes: int = 1 << 30
    cpu_s: int = 20
    file_bytes: int = 16 << 20


@dataclass(frozen=True)
class ExecutionResult:
    """How a sandboxed program ended: its status, wall time and the tail of its output."""

    status: Status
    seconds: float
    error_tail: str = ""

    @property
    def passed(self) -> bool:
        """Whether the program ran to its end and exited with status 0 in time."""
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"status": self.status, "seconds": self.seconds, "error_tail": self.error_tail}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExecutionResult:
        """The result that :meth:`to_dict` wrote."""
        return cls(
            status=data["status"], seconds=float(data["seconds"]), error_tail=data["error_tail"]
        )


def check_program(code: str, test: str, entry_point: str) -> str:
    """The HumanEval program: the completed code (prompt + completion), its tests, ``check``."""
    return f"{code}\n\n{test}\n\ncheck({entry_point})\n"


def with_end_marker(source: str, token: str) -> str:
    """``source`` followed by a statement that writes ``token`` to file descriptor 1 (not
    ``sys.stdout``, which the program may have replaced), run only if the program gets there."""
    return f"{source}\n\n__import__('os').write(1, b'\\n{token}\\n')\n"


def _limiter(limits: Limits) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_program(source: str, limits: Limits | None = None) -> ExecutionResult:
    """Run ``source`` in a sandboxed interpreter; passed means that it ran to its last line
    and exited with status 0 within the timeout."""
    limits = limits or Limits()
    token = secrets.token_hex(16)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory(prefix="sandbox-") as workdir:
        started = time.perf_counter()
        # The program travels on stdin, so nothing but its own writes lands in workdir.
        process = subprocess.Popen(
            [sys.executable, "-I", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=workdir,
            env=env,
            preexec_fn=_limiter(limits),  # the harness starts no threads
            start_new_session=True,
        )
        try:
            program = with_end_marker(source, token).encode("utf-8")
            stdout, stderr = process.communicate(program, timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            _, stderr = process.communicate()
            return ExecutionResult("timeout", time.perf_counter() - started, _tail(stderr))
        finally:
            _kill_group(process)
        seconds = time.perf_counter() - started
    reached_end = token.encode("ascii") in stdout
    if process.returncode == 0 and reached_end:
        return ExecutionResult("passed", seconds)
    if process.returncode == 0:
        tail = _tail(stderr) + EARLY_EXIT
        return ExecutionResult("failed", seconds, tail.strip())
    tail = _tail(stderr) or f"exit status {process.returncode}"
    if process.returncode < 0:
        tail = f"{tail}\nkilled by signal {-process.returncode}".strip()
    return ExecutionResult("failed", seconds, tail)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the program's whole session, children it forked included."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(output: bytes | None) -> str:
    return output.decode("utf-8", "replace")[-ERROR_TAIL_CHARS:] if output else ""
