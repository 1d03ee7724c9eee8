"""Which worker runs which task, and what happens when a worker dies.

- a worker that dies (killed, out of memory, a lost machine) takes no
  episode with it: its task goes back to the front of the queue and the next
  idle worker runs it again, while a fresh worker replaces the dead one. A
  task whose workers died ``MAX_WORKER_DEATHS`` times is reported failed (it
  may be what kills them).
- workers that keep dying before their model is loaded stop the batch
  (``MAX_START_FAILURES`` per worker), as does a worker that cannot start.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from orchestrator.cluster.session import ClusterError
from orchestrator.cluster.tasks import BatchStats, BatchTask
from orchestrator.cluster.view import BatchProgress
from orchestrator.cluster.worker import TaskResult, WorkerInfo

#: A task is reported failed once its workers have died this many times while running it.
MAX_WORKER_DEATHS = 3
#: The batch stops when workers die this many times (per worker) before loading the model.
MAX_START_FAILURES = 3


@dataclass
class WorkerSlot:
    """One worker: its actor, what it said when ready, the task it runs."""

    handle: Any  # a Ray actor handle of TaskWorker
    info: WorkerInfo | None = None
    task: BatchTask | None = None


@dataclass
class Scheduler:
    """Hands queued tasks to idle workers and replaces workers that die."""

    actor: Any  # ray.remote(TaskWorker), with its options set
    worker_args: tuple[Any, ...]
    worker_kwargs: dict[str, Any]
    queue: deque[BatchTask]
    progress: BatchProgress
    stats: BatchStats
    workers: list[WorkerSlot] = field(default_factory=list)
    calls: dict[Any, WorkerSlot] = field(default_factory=dict)  # ObjectRef -> the worker it is from
    start_failures: int = 0

    def spawn(self) -> None:
        """Start a worker; its ``ready`` call is awaited with the others."""
        handle = self.actor.remote(*self.worker_args, **self.worker_kwargs)
        worker = WorkerSlot(handle)
        self.workers.append(worker)
        self.calls[handle.ready.remote()] = worker

    def dispatch(self) -> None:
        """Give each idle, ready worker the next queued task."""
        for worker in self.workers:
            if not self.queue:
                return
            if worker.info is not None and worker.task is None:
                task = self.queue.popleft()
                worker.task = task
                spec = task.spec
                self.calls[worker.handle.run.remote(
                    task.task_id, spec.task, spec.stub, spec.suite
                )] = worker
                self.progress.task_started(task.label, worker.info.name)

    def busy(self) -> bool:
        """Whether any worker runs a task."""
        return any(w.task is not None for w in self.workers)

    def replace(self, worker: WorkerSlot) -> None:
        """Drop a dead worker and start another in its place."""
        import ray

        self.workers.remove(worker)
        with suppress(Exception):  # already gone
            ray.kill(worker.handle, no_restart=True)
        self.spawn()

    def stop(self) -> None:
        """Kill every worker."""
        import ray

        for worker in self.workers:
            with suppress(Exception):  # already gone
                ray.kill(worker.handle, no_restart=True)
        self.workers.clear()
        self.calls.clear()

    def collect(self, refs: Sequence[Any]) -> list[BatchTask]:
        """Take the results of ``refs``; return the tasks that ended (their episodes to commit)."""
        import ray
        from ray.exceptions import RayActorError

        ended: list[BatchTask] = []
        for ref in refs:
            worker = self.calls.pop(ref, None)
            if worker is None or worker not in self.workers:
                continue
            task = worker.task
            try:
                value: Any = ray.get(ref)
            except RayActorError:
                self.stats.worker_deaths += 1
                name = worker.info.name if worker.info is not None else "(starting)"
                if task is None:
                    self.start_failures += 1
                    if self.start_failures > MAX_START_FAILURES * max(1, self.stats.workers):
                        raise ClusterError(
                            "Ray workers keep dying before their model is loaded; "
                            "see the Ray logs of the cluster"
                        ) from None
                    self.progress.note(f"worker {name} died while starting; starting another")
                else:
                    task.deaths += 1
                    if task.deaths >= MAX_WORKER_DEATHS:
                        task.result = TaskResult(
                            task.task_id,
                            "failed",
                            0,
                            0.0,
                            None,
                            f"its worker died {task.deaths} times while running it",
                            name,
                        )
                        ended.append(task)
                    else:
                        self.queue.appendleft(task)
                        self.progress.task_requeued(
                            task.label,
                            f"worker {name} died while running it; "
                            f"it goes to the next idle worker (retry {task.deaths})",
                        )
                self.replace(worker)
                continue
            if task is None:
                info: WorkerInfo = value
                if info.error:
                    raise ClusterError(f"a worker ({info.name}) cannot start: {info.error}")
                worker.info = info
                if self.stats.threads_per_worker == 0:
                    self.stats.threads_per_worker = info.threads
                self.progress.worker_ready(info.name, info.threads, info.load_seconds)
            else:
                worker.task = None
                task.result = value
                ended.append(task)
        return ended
