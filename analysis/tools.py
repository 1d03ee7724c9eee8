"""Finding and running the external static tools (ruff, pyright).

An executable is looked up first beside the running interpreter (the virtual
environment's ``bin``), then on ``PATH``. Tools run without a shell, with a
timeout, and a failure becomes a one-line :class:`~config.errors.UserError`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from config.errors import UserError

log = logging.getLogger(__name__)


class ToolMissingError(UserError):
    """A static tool the configuration asks for is not installed."""


class ToolFailedError(UserError):
    """A static tool crashed, timed out or returned output that cannot be read."""


def find_tool(name: str) -> Path:
    """The executable ``name`` from the interpreter's ``bin`` directory, else from ``PATH``."""
    # Not resolved: a venv's python is a symlink, and its own directory is the one wanted.
    beside_interpreter = shutil.which(name, path=str(Path(sys.executable).parent))
    found = beside_interpreter or shutil.which(name)
    if found is None:
        raise ToolMissingError(
            f"{name} is not installed (looked beside {sys.executable} and on PATH); "
            "run `make setup` to install it"
        )
    return Path(found)


def run_tool(
    name: str,
    args: Sequence[str],
    *,
    timeout_s: float,
    ok_codes: Collection[int],
    input_text: str | None = None,
    cwd: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run tool ``name`` with ``args``; return the finished process if its exit code is in ``ok_codes``.

    Raises :class:`ToolMissingError` when it is not installed and :class:`ToolFailedError`
    on a timeout or any other exit code (with the first line of its stderr).
    """
    command = [str(find_tool(name)), *args]
    env = {**os.environ, **(extra_env or {})}
    log.debug("running %s", command)
    try:
        done = subprocess.run(
            command,
            input=input_text,
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolFailedError(
            f"{name} did not finish within {timeout_s:g} s; check it with `python main.py doctor`"
        ) from None
    if done.returncode not in ok_codes:
        detail = _first_line(done.stderr) or _first_line(done.stdout) or "no output"
        raise ToolFailedError(f"{name} failed with exit code {done.returncode}: {detail}")
    return done


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
