"""``main.py`` as a user runs it: a child process with no terminal on stdin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A config that keeps episodes on the hash embedder, so no embedding model is loaded, and
#: the model's tests and samples few and short.
HASH_CONFIG = (
    "memory:\n  embedder: hash\nverify:\n  samples: 2\n  model_tests: 2\n"
    "  test_max_tokens: 40\n"
)
#: A task full of brackets that rich would read as markup: it must be printed as it is.
MARKUP_TASK = "Write a function that returns xs[/] for a list[int] of [bold]numbers"


def main_command(*args: str | bytes) -> list[str | bytes]:
    """The argument list that starts ``main.py ARGS`` with this interpreter."""
    return [sys.executable, str(ROOT / "main.py"), *args]


def main_py(
    *args: str | bytes,
    data: Path | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    umask: int = -1,
) -> subprocess.CompletedProcess[str]:
    """Run ``main.py ARGS`` to its end; ``data`` is its data folder (default: the test's),
    and ``env`` is added to the environment last.

    Output is read as UTF-8, an undecodable byte replaced, so a test sees what a terminal would.
    """
    folder = {} if data is None else {"SUPERCODER_DATA_DIR": str(data)}
    environment = {**os.environ, **folder, **(env or {})}
    return subprocess.run(
        main_command(*args),
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=environment,
        timeout=timeout,
        check=False,
        umask=umask,
    )


def run_cli(
    *args: str | bytes,
    tmp_path: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``main.py ARGS`` in ``tmp_path``, with ``tmp_path / "data"`` as its data folder."""
    return main_py(*args, data=tmp_path / "data", cwd=tmp_path, env=env, timeout=timeout)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``error: ...`` line of a command refused with exit code 2 and no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def ctrl_c_as_at_a_terminal() -> None:
    """In the child: Ctrl-C as a shell gives it (the test runner may have ignored SIGINT, and
    an ignored signal stays ignored across exec, so Python would never see it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
