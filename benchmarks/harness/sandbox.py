"""Run a benchmark program in a locked-down subprocess (benchmark harness only).

The product never executes generated code. Scoring HumanEval needs to, so the
harness runs each program in a fresh isolated interpreter (``python -I``)
with a wall-clock timeout, resource limits (address space, CPU seconds, file
size, no core files), an empty temporary directory as its working directory
and a minimal environment. This limits accidents; it is not a security
boundary against hostile code.
"""

from __future__ import annotations

import contextlib
import os
import resource
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
        """Whether the program exited with status 0 in time."""
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


def _limiter(limits: Limits) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_program(source: str, limits: Limits | None = None) -> ExecutionResult:
    """Run ``source`` in a sandboxed interpreter; passed means exit status 0 within the timeout."""
    limits = limits or Limits()
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
            _, stderr = process.communicate(source.encode("utf-8"), timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            _, stderr = process.communicate()
            return ExecutionResult("timeout", time.perf_counter() - started, _tail(stderr))
        finally:
            _kill_group(process)
        seconds = time.perf_counter() - started
    if process.returncode == 0:
        return ExecutionResult("passed", seconds)
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
