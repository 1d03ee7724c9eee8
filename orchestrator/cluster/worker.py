"""One batch worker (a Ray actor): loads the model once, runs whole tasks, returns episodes.

The class is plain Python; the driver makes it an actor with
``ray.remote(TaskWorker)``, so this module does not import Ray. A task runs
through the same graph as a single run (generate, static test, reflect,
approve, learn) with an in-memory checkpointer; the human gate is answered
with "continue" under ``--yes`` and with ``cycles.unattended_approval``
otherwise. The learn node's episode is handed back to the driver instead of
being written, so the driver is the store's only writer.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import traceback
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.errors import UserError
from memory.episode import Episode
from memory.store import EpisodeStore


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker reports once its model is loaded (or could not be)."""

    pid: int
    host: str
    threads: int
    load_seconds: float
    error: str  # "" when the worker is ready; else one line on why it is not

    @property
    def name(self) -> str:
        """``pid 1234 on host``."""
        return f"pid {self.pid} on {self.host}"


@dataclass(frozen=True)
class TaskResult:
    """One task's end: a finished run with its episode, or a failure before one."""

    task_id: str
    status: str  # the run's final status (clean, limit, ...), or "failed"
    cycles: int
    seconds: float
    episode: Episode | None  # None when the task failed
    error: str  # one line when the task failed, else ""
    worker: str

    @property
    def failed(self) -> bool:
        """True when the task ended without a run (bad input, a prompt too long, a bug)."""
        return self.status == "failed"


class TaskWorker:
    """A loaded model with the loop's graph; runs one task at a time."""

    def __init__(self, settings: dict[str, Any], store: str | None, *, yes: bool) -> None:
        """Load what every task needs: the model, the embedder, the store to read examples from.

        ``settings`` is ``Settings.model_dump(mode="json")``; ``store`` is the episode
        store's location (None: no examples are retrieved). A failure is kept and
        reported by :meth:`ready`, not raised, so the driver can print one line.
        """
        self._stack = ExitStack()
        self._yes = yes
        self._error = ""
        self._threads = 0
        start = time.perf_counter()
        try:
            self._open(settings, store)
        except UserError as exc:
            self._error = exc.message
        except (
            Exception
        ) as exc:  # a bug: the driver reports it as one line, the trace goes to the log
            traceback.print_exc(file=sys.stderr)
            self._error = f"internal error: {type(exc).__name__}: {exc}"
        self._load_seconds = time.perf_counter() - start

    def _open(self, settings_data: dict[str, Any], store: str | None) -> None:
        from rich.console import Console

        from config.settings import Settings
        from decoding.generator import Generator
        from decoding.model_file import resolve_model
        from memory.embedding import make_embedder
        from nodes.progress import ProgressView
        from orchestrator.resources import run_context, sandbox_limits
        from verify.sandbox import Sandbox

        settings = Settings.model_validate(settings_data)
        self._threads = settings.model.n_threads
        model_file = resolve_model(settings.model.path)
        self._store: CollectingStore | None = None
        if store is not None and settings.memory.retrieve_k > 0:
            embedder = make_embedder(settings.memory.embedder)
            opened = CollectingStore.open(Path(store), embedder)
            assert isinstance(opened, CollectingStore)
            self._store = opened
        sandbox = (
            self._stack.enter_context(Sandbox.open(sandbox_limits(settings.verify)))
            if settings.verify.enabled
            else None
        )
        generator = self._stack.enter_context(
            Generator.open(
                model_file, settings.model, settings.decoding, samples=settings.verify.samples
            )
        )
        self._settings = settings
        progress = ProgressView(
            Console(stderr=True), max_cycles=settings.cycles.max_cycles, quiet=True
        )
        self._run_ctx = run_context(
            settings, model_file, generator, self._store, progress, sandbox
        )

    def ready(self) -> WorkerInfo:
        """Who this worker is and whether its model loaded."""
        return WorkerInfo(
            pid=os.getpid(),
            host=socket.gethostname(),
            threads=self._threads,
            load_seconds=self._load_seconds,
            error=self._error,
        )

    def run(
        self, task_id: str, task: str, stub: str | None, suite: dict[str, Any] | None = None
    ) -> TaskResult:
        """Run ``task`` to its end as run ``task_id``; a failure of the task is returned, not raised."""
        start = time.perf_counter()
        worker = f"pid {os.getpid()} on {socket.gethostname()}"

        def failed(error: str) -> TaskResult:
            return TaskResult(
                task_id, "failed", 0, time.perf_counter() - start, None, error, worker
            )

        if self._error:
            return failed(self._error)
        try:
            values = self._drive(task_id, task, stub, suite)
        except UserError as exc:
            return failed(exc.message)
        except Exception as exc:  # one task's bug must not take the worker down
            traceback.print_exc(file=sys.stderr)
            return failed(f"internal error: {type(exc).__name__}: {exc}")
        episode = self._episode(task_id, values)
        return TaskResult(
            task_id=task_id,
            status=str(values.get("status", "error")),
            cycles=len(values.get("attempts") or []),
            seconds=time.perf_counter() - start,
            episode=episode,
            error="",
            worker=worker,
        )

    def _drive(
        self, task_id: str, task: str, stub: str | None, suite: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Invoke the graph, answering the human gate without asking, until the run ends."""
        from langgraph.checkpoint.memory import InMemorySaver

        from nodes.state import initial_state
        from orchestrator.graph import build_graph, recursion_limit
        from orchestrator.runner import invoke_to_end
        from orchestrator.runs import run_config

        settings = self._settings
        cycles = settings.cycles
        graph = build_graph(InMemorySaver())
        config = run_config(task_id, recursion_limit=recursion_limit(cycles.max_cycles))
        self._run_ctx.progress.max_cycles = cycles.max_cycles
        payload = initial_state(
            task_id,
            task,
            stub,
            cycles.max_cycles,
            review_when_clean=cycles.review_when_clean,
            settings=settings.model_dump(mode="json"),
            suite=suite,
        )
        answer = {"action": "continue" if self._yes else cycles.unattended_approval}
        return invoke_to_end(graph, payload, config, self._run_ctx, lambda _: answer)

    def _episode(self, task_id: str, values: dict[str, Any]) -> Episode:
        """The learn node's episode for the run, or one built the same way without a store."""
        if self._store is not None and task_id in self._store.collected:
            return self._store.collected.pop(task_id)
        from nodes.learn import build_episode, outcome_of

        return build_episode(values, self._run_ctx, outcome_of(values))  # type: ignore[arg-type]

    def close(self) -> None:
        """Unload the model."""
        self._stack.close()


class CollectingStore(EpisodeStore):
    """The shared episode store, read for examples; the episodes given to it are kept, not written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collected: dict[str, Episode] = {}

    def add_many(self, episodes: Sequence[Episode]) -> int:
        """Keep ``episodes`` for the driver; nothing is written."""
        for episode in episodes:
            self.collected[episode.id] = episode
        return len(episodes)
