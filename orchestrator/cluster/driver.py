"""The batch driver: Ray workers run the tasks; the driver alone writes the episode store.

Without ``--ray`` the command starts a local Ray instance (its temporary
files in a directory of their own, removed at the end) and stops it again;
with ``--ray ADDRESS`` it joins a running cluster and leaves it running.

Faults:

- a worker that dies (killed, out of memory, a lost machine) takes no
  episode with it: its task goes back to the front of the queue and the next
  idle worker runs it again, while a fresh worker replaces the dead one. A
  task whose workers died ``MAX_WORKER_DEATHS`` times is reported failed (it
  may be what kills them).
- a task that fails for its own reasons (a prompt too long for the context)
  is reported once, with its error, and the batch goes on.
- Ctrl-C stops the batch: episodes that workers already returned are
  committed, the workers are stopped, and the tasks without an episode stay
  unfinished; running the same command again runs only those.

An episode's id is its task's id (see :func:`task_ids`), and the store keeps
one episode per id, so a task is never stored twice, whatever was retried.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
import warnings
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from config.errors import UsageError, UserError
from orchestrator.cluster.tasks import BatchStats, BatchTask
from orchestrator.cluster.view import BatchProgress, summary_table
from orchestrator.cluster.worker import TaskResult, TaskWorker, WorkerInfo

if TYPE_CHECKING:
    from config.settings import Settings
    from memory.episode import Episode
    from memory.store import EpisodeStore
    from orchestrator.command import CommandContext
    from orchestrator.tasks import TaskSpec

#: A task is reported failed once its workers have died this many times while running it.
MAX_WORKER_DEATHS = 3
#: The batch stops when workers die this many times (per worker) before loading the model.
MAX_START_FAILURES = 3
#: Seconds between redraws of the progress line while waiting for results.
POLL_SECONDS = 1.0


class ClusterError(UserError):
    """Ray is missing, a cluster cannot be joined, or the workers cannot start (exit 2)."""


def task_ids(specs: Sequence[TaskSpec], settings: Settings) -> list[str]:
    """Stable ids: the same task, stub and settings give the same id (the n-th repeat its own)."""
    from nodes.learn import config_hash

    settings_hash = config_hash(settings)
    seen: dict[tuple[str, str | None], int] = {}
    ids = []
    for spec in specs:
        key = (spec.task, spec.stub)
        repeat = seen.get(key, 0)
        seen[key] = repeat + 1
        text = json.dumps([settings_hash, spec.task, spec.stub, repeat], ensure_ascii=False)
        ids.append("task-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])
    return ids


def check_options(args: argparse.Namespace) -> None:
    """Raise ``UsageError`` for a bad ``--workers`` or ``--ray``, before anything starts."""
    workers = getattr(args, "workers", None)
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    address = getattr(args, "ray", None)
    if address is None:
        return
    host, sep, port = address.strip().removeprefix("ray://").rpartition(":")
    if address.strip() != "auto" and (not sep or not host or not port.isdigit()):
        raise UsageError(f'--ray {address!r}: expected "auto", HOST:PORT or ray://HOST:PORT')


def run_batch(specs: Sequence[TaskSpec], args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run ``specs`` on Ray workers; returns the batch's exit code (2 failed, 1 not clean, 0)."""
    from memory.embedding import make_embedder
    from memory.store import EpisodeStore, store_path
    from orchestrator.model_setup import resolve_with_progress

    check_options(args)
    settings = ctx.settings
    quiet = ctx.quiet or ctx.json_output
    address: str | None = args.ray.strip() if args.ray is not None else None
    if address is not None:
        check_reachable(address)
    tasks = [
        BatchTask(index=i, spec=spec, task_id=task_id)
        for i, (spec, task_id) in enumerate(zip(specs, task_ids(specs, settings), strict=True))
    ]
    location = store_path(settings.memory, ctx.data_dir).expanduser().resolve()
    store = EpisodeStore.open(location, make_embedder(settings.memory.embedder))
    for task in tasks:
        task.previous = store.get(task.task_id)
    pending = [t for t in tasks if t.previous is None]
    progress = BatchProgress(
        Console(stderr=True, highlight=False, markup=False, soft_wrap=True),
        total=len(pending),
        quiet=quiet,
    )
    if len(pending) < len(tasks):
        progress.note(
            f"{len(tasks) - len(pending)} of {len(tasks)} tasks are in the store already; "
            f"running the other {len(pending)}"
        )
    model_spec = settings.model.path
    if address is None:  # one machine: check (and assemble) the model once, before any worker
        model_spec = str(resolve_with_progress(model_spec, quiet=quiet).path)
    elif model_spec != "default" and Path(model_spec).expanduser().exists():
        model_spec = str(Path(model_spec).expanduser().resolve())
    settings = settings.model_copy(
        update={"model": settings.model.model_copy(update={"path": model_spec})}
    )
    stats = BatchStats(workers=0, threads_per_worker=0, cluster=address or "local")
    if pending:
        _run_on_ray(pending, args, settings, location, store, progress, stats)
    _print_summary(tasks, stats, ctx)
    return max(t.exit_code for t in tasks)


def _threads_and_workers(
    settings: Settings, workers: int | None, address: str | None
) -> tuple[int, int]:
    """CPU threads per worker and the worker count, before Ray starts (local) or after (joined)."""
    if address is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        count = workers or 1
        return settings.model.n_threads or max(1, (cpus or 1) // count), count
    import ray

    node_cpus = [int(n["Resources"].get("CPU", 0)) for n in ray.nodes() if n.get("Alive")]
    node_cpus = [c for c in node_cpus if c > 0] or [1]
    if workers is None:
        return settings.model.n_threads or min(node_cpus), len(node_cpus)
    threads = settings.model.n_threads or max(1, sum(node_cpus) // workers)
    return min(threads, max(node_cpus)), workers


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Raise ``ClusterError`` unless ``HOST:PORT`` (or ``ray://HOST:PORT``) accepts a connection.

    Ray itself retries an unreachable head for minutes; ``auto`` is left to Ray,
    which fails at once when no cluster runs on this machine.
    """
    target = address.removeprefix("ray://")
    if target == "auto":
        return
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ClusterError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}"
        ) from None


@contextmanager
def ray_session(address: str | None, num_cpus: int) -> Iterator[None]:
    """Join the cluster at ``address``, or start a local Ray instance and remove it afterwards."""
    import logging

    try:
        import ray
    except ImportError:
        raise ClusterError(
            "Ray is not installed: install the cluster extra (pip install -e '.[cluster]' "
            "or make setup)"
        ) from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray starts its processes with fork+exec, which LanceDB's fork warning does not concern.
    warnings.filterwarnings("ignore", message="lancedb fork support", category=RuntimeWarning)
    temp_dir = None if address is not None else tempfile.mkdtemp(prefix="supercoder-ray-")
    try:
        try:
            if address is None:
                ray.init(
                    num_cpus=num_cpus,
                    include_dashboard=False,
                    _temp_dir=temp_dir,
                    logging_level=logging.WARNING,
                    log_to_driver=False,
                )
            else:
                ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            first = (str(exc).strip().split(". ") or [type(exc).__name__])[0].rstrip(".")
            raise ClusterError(f"cannot start or join {where}: {first}") from None
        yield
    finally:
        if ray.is_initialized():
            ray.shutdown()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)


@dataclass
class _Worker:
    handle: Any  # a Ray actor handle of TaskWorker
    info: WorkerInfo | None = None
    task: BatchTask | None = None


@dataclass
class _Scheduler:
    """Hands queued tasks to idle workers and replaces workers that die."""

    actor: Any  # ray.remote(TaskWorker), with its options set
    worker_args: tuple[Any, ...]
    worker_kwargs: dict[str, Any]
    queue: deque[BatchTask]
    progress: BatchProgress
    stats: BatchStats
    workers: list[_Worker] = field(default_factory=list)
    calls: dict[Any, _Worker] = field(default_factory=dict)  # ObjectRef -> the worker it is from
    start_failures: int = 0

    def spawn(self) -> None:
        handle = self.actor.remote(*self.worker_args, **self.worker_kwargs)
        worker = _Worker(handle)
        self.workers.append(worker)
        self.calls[handle.ready.remote()] = worker

    def dispatch(self) -> None:
        for worker in self.workers:
            if not self.queue:
                return
            if worker.info is not None and worker.task is None:
                task = self.queue.popleft()
                worker.task = task
                spec = task.spec
                self.calls[worker.handle.run.remote(task.task_id, spec.task, spec.stub)] = worker
                self.progress.task_started(task.label, worker.info.name)

    def busy(self) -> bool:
        return any(w.task is not None for w in self.workers)

    def replace(self, worker: _Worker) -> None:
        import ray

        self.workers.remove(worker)
        with suppress(Exception):  # already gone
            ray.kill(worker.handle, no_restart=True)
        self.spawn()

    def stop(self) -> None:
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


def _run_on_ray(
    pending: list[BatchTask],
    args: argparse.Namespace,
    settings: Settings,
    location: Path,
    store: EpisodeStore,
    progress: BatchProgress,
    stats: BatchStats,
) -> None:
    address: str | None = args.ray.strip() if args.ray is not None else None
    threads, count = (
        _threads_and_workers(settings, args.workers, None) if address is None else (0, 0)
    )
    start = time.monotonic()
    with ray_session(address, threads * count):
        import ray

        if address is not None:
            threads, count = _threads_and_workers(settings, args.workers, address)
        cpus = int(ray.cluster_resources().get("CPU", 0))
        progress.note(
            f"started a local Ray instance ({cpus} CPUs)"
            if address is None
            else f"joined the Ray cluster at {address} ({len(ray.nodes())} node(s), {cpus} CPUs)"
        )
        count = min(count, len(pending))
        stats.workers = count
        stats.ray_start_seconds = time.monotonic() - start
        worker_settings = settings.model_copy(
            update={"model": settings.model.model_copy(update={"n_threads": threads})}
        )
        scheduler = _Scheduler(
            actor=ray.remote(TaskWorker).options(
                num_cpus=threads, max_restarts=0, scheduling_strategy="SPREAD"
            ),
            worker_args=(worker_settings.model_dump(mode="json"), str(location)),
            worker_kwargs={"yes": bool(getattr(args, "yes", False))},
            queue=deque(pending),
            progress=progress,
            stats=stats,
        )
        progress.note(f"{count} worker(s) x {threads} CPU thread(s); loading the model")
        for _ in range(count):
            scheduler.spawn()
        first_ready: float | None = None
        try:
            while scheduler.queue or scheduler.busy() or first_ready is None:
                scheduler.dispatch()
                progress.refresh()
                ready, _ = ray.wait(list(scheduler.calls), num_returns=1, timeout=POLL_SECONDS)
                if ready:
                    ready, _ = ray.wait(
                        list(scheduler.calls), num_returns=len(scheduler.calls), timeout=0
                    )
                ended = scheduler.collect(ready)
                if first_ready is None and any(w.info for w in scheduler.workers):
                    first_ready = time.monotonic()
                    stats.first_ready_seconds = first_ready - start - stats.ray_start_seconds
                _commit(ended, store, progress, stats)
        except KeyboardInterrupt:
            progress.close()
            _commit_finished(scheduler, pending, store, progress, stats)
            scheduler.stop()
            stored = sum(1 for t in pending if t.result is not None and t.result.episode)
            unfinished = sum(1 for t in pending if t.result is None)
            progress.note(
                f"interrupted: {stored} episode(s) of this batch were stored; "
                f"{unfinished} unfinished task(s) run when the same command is given again"
            )
            raise
        finally:
            progress.close()
            if first_ready is not None:
                stats.run_seconds = time.monotonic() - first_ready
            scheduler.stop()


def _commit_finished(
    scheduler: _Scheduler,
    pending: Sequence[BatchTask],
    store: EpisodeStore,
    progress: BatchProgress,
    stats: BatchStats,
) -> None:
    """After Ctrl-C: commit every result the workers have returned and the driver has not."""
    import ray

    try:
        ready, _ = ray.wait(list(scheduler.calls), num_returns=len(scheduler.calls), timeout=0)
        scheduler.collect([r for r in ready if scheduler.calls[r].task is not None])
    except Exception:  # the cluster is going down too; what was committed stays committed
        pass
    _commit([t for t in pending if t.result is not None], store, progress, stats)


def _commit(
    ended: Sequence[BatchTask], store: EpisodeStore, progress: BatchProgress, stats: BatchStats
) -> None:
    """Write the episodes of ``ended`` in one commit, then report each task."""
    episodes: list[Episode] = [
        t.result.episode
        for t in ended
        if not t.committed and t.result is not None and t.result.episode is not None
    ]
    if episodes:
        start = time.perf_counter()
        stats.episodes_written += store.add_many(episodes)
        stats.commit_seconds += time.perf_counter() - start
        stats.commits += 1
    for task in ended:
        result = task.result
        if result is None or task.committed:
            continue
        task.committed = True
        stats.ran += 1
        if result.failed:
            progress.task_finished(task.label, f"failed: {result.error}", failed=True)
        else:
            progress.task_finished(
                task.label,
                f"{result.status} in {result.cycles} cycle(s), {result.seconds:.1f} s on "
                f"worker {result.worker}",
                failed=False,
            )


def _print_summary(tasks: Sequence[BatchTask], stats: BatchStats, ctx: CommandContext) -> None:
    counts: dict[str, int] = {}
    for task in tasks:
        key = "already stored" if task.previous is not None else task.status
        counts[key] = counts.get(key, 0) + 1
    if ctx.json_output:
        document = {
            "tasks": [t.to_dict() for t in tasks],
            "counts": counts,
            "batch": stats.to_dict(),
        }
        ctx.console.print_json(json.dumps(document, ensure_ascii=False))
        return
    ctx.console.print(summary_table(tasks))
    figures = stats.to_dict()
    rate = figures["tasks_per_minute"]
    ctx.console.print(
        f"{len(tasks)} task(s): "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + (
            f" · {stats.workers} worker(s) x {stats.threads_per_worker} thread(s) on "
            f"{stats.cluster} Ray · {rate:.2f} tasks/min"
            if rate is not None
            else ""
        )
    )
