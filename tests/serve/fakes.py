"""A runner without a model: the HTTP protocol, the queue and the MCP tools tested alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from config.loader import load_settings
from config.settings import Settings
from decoding.errors import PromptTooLongError
from serve.runner import RunEvents, RunOutcome, RunRequest

#: A task longer than this is "too long for the context" to the fake engine.
FAKE_PROMPT_LIMIT = 2000


def fake_settings() -> Settings:
    """The shipped defaults, with no environment."""
    return load_settings(environ={})


@dataclass
class FakeEngine:
    """Answers every request with a small function after ``steps`` progress lines of
    ``step_seconds`` each; ``gate`` (when given) holds every run until it is set."""

    steps: int = 2
    step_seconds: float = 0.0
    gate: threading.Event | None = None
    crash: bool = False
    runs: list[RunRequest] = field(default_factory=list)
    cancelled: list[RunRequest] = field(default_factory=list)
    started: threading.Event = field(default_factory=threading.Event)

    def check(self, request: RunRequest) -> None:
        if len(request.task) > FAKE_PROMPT_LIMIT:
            raise PromptTooLongError(len(request.task), request.settings.decoding.max_tokens, 4096)

    def run(self, request: RunRequest, events: RunEvents) -> RunOutcome:
        self.started.set()
        events.note("run fake-run: up to 1 cycle(s)")
        try:
            while self.gate is not None and not self.gate.wait(0.01):
                events.progress("cycle 1/1 waiting")
            for step in range(self.steps):
                events.progress(f"cycle 1/1 step {step}")
                time.sleep(self.step_seconds)
        except BaseException:
            self.cancelled.append(request)
            raise
        if self.crash:
            raise RuntimeError("a bug in the engine")
        self.runs.append(request)
        name = f"run-{len(self.runs)}"
        return RunOutcome(
            run_id=name,
            episode_id=name,
            status="clean",
            code="def answer() -> int:\n    return 42\n",
            clean=True,
            findings=[],
            checks=[{"origin": "example", "outcome": "passed", "label": "answer() == 42"}],
            passed=True,
            completeness=1.0,
            cycles=1,
            stop_reason="stop",
            seconds=0.01,
            prompt_tokens=10,
            completion_tokens=12,
        )

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        return [
            {"id": "run-1", "task": query, "outcome": "clean", "review_status": "pending",
             "score": 1.0, "final_code": "def answer() -> int:\n    return 42\n"}
        ][:k]  # fmt: skip

    def store_writable(self) -> bool:
        return True


@dataclass
class FakeRunner:
    """Opens ``engine`` (or fails to, with ``load_error``)."""

    engine: FakeEngine = field(default_factory=FakeEngine)
    load_error: Exception | None = None

    @contextmanager
    def open(self) -> Iterator[FakeEngine]:
        if self.load_error is not None:
            raise self.load_error
        yield self.engine
