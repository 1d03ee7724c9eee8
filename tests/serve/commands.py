"""Starting the service as a user does: a child process, the model loaded once per module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
#: Episodes on the hash embedder (no embedding model to load); the loop's extras off, so a
#: run is one or two short generations.
FAST_CONFIG = (
    "memory:\n  embedder: hash\n  retrieve_k: 0\n"
    "verify:\n  samples: 0\n  model_tests: 0\n  prose_examples: false\n"
)
_SERVING = re.compile(r"serving on (http://\S+)")


def main_command(*args: str) -> list[str]:
    """``main.py ARGS`` with this interpreter."""
    return [sys.executable, str(ROOT / "main.py"), *args]


@dataclass
class Server:
    """A running ``main.py serve``: its base URL, process and data folder."""

    url: str
    process: subprocess.Popen[str]
    data: Path

    def health(self) -> dict[str, object]:
        """``GET /health``."""
        return httpx.get(f"{self.url}/health", timeout=10).json()

    def wait_idle(self, timeout: float = 120) -> None:
        """Wait until no request runs or waits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.health()
            if not state["running"] and state["queue_length"] == 0:
                return
            time.sleep(0.2)
        raise TimeoutError("the server stayed busy")


def start_server(
    args: Sequence[str], *, data: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> Server:
    """Start ``main.py serve --port 0 ARGS`` with ``data`` as its data folder; return once its
    model is loaded."""
    environment = {**os.environ, "SUPERCODER_DATA_DIR": str(data), **(env or {})}
    process = subprocess.Popen(
        main_command("serve", "--port", "0", *args),
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if found := _SERVING.search(line):
            server = Server(found[1], process, data)
            break
    else:
        process.wait(timeout=30)
        raise RuntimeError("the server did not start:\n" + "".join(lines))
    deadline = time.monotonic() + timeout
    while not server.health()["model_loaded"]:
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(f"the model did not load: {server.health()}")
        time.sleep(0.5)
    return server


@contextmanager
def running_server(
    args: Sequence[str], *, data: Path, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A server for the duration of the block, stopped with SIGTERM (SIGKILL if it hangs)."""
    server = start_server(args, data=data, env=env)
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=30)
        if server.process.stderr is not None:
            server.process.stderr.close()
