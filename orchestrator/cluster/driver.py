"""The batch driver: Ray workers run the tasks; the driver alone writes the episode store.

It prepares the batch (task ids, what the store holds already, the model),
runs the loop that hands tasks to workers and commits each returned episode,
and prints the summary. Ray itself is ``session``, which worker runs what and
the retries after a worker's death ``scheduler``, the progress lines and the
summary ``view``.

- a task that fails for its own reasons (a prompt too long for the context)
  is reported once, with its error, and the batch goes on.
- Ctrl-C stops the batch: episodes that workers already returned are
  committed, the workers are stopped, and the tasks without an episode stay
  unfinished; running the same command again runs only those.
- ``--out-dir DIR`` gets each task's code as the driver commits its episode
  (a task stored before gets its stored code), and the manifest
  (``orchestrator.batch.OutDir``).

An episode's id is its task's id (see :func:`task_ids`), and the store keeps
one episode per id, so a task is never stored twice, whatever was retried.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from config.errors import UsageError
from orchestrator.batch import OutDir
from orchestrator.cluster.scheduler import Scheduler
from orchestrator.cluster.session import check_reachable, ray_session, threads_and_workers
from orchestrator.cluster.tasks import BatchStats, BatchTask
from orchestrator.cluster.view import BatchProgress, print_summary
from orchestrator.cluster.worker import TaskWorker
from orchestrator.command import Interrupted

if TYPE_CHECKING:
    from config.settings import Settings
    from memory.episode import Episode
    from memory.store import EpisodeStore
    from orchestrator.command import CommandContext
    from orchestrator.tasks import TaskSpec

#: Seconds between redraws of the progress line while waiting for results.
POLL_SECONDS = 1.0


def task_ids(specs: Sequence[TaskSpec], settings: Settings) -> list[str]:
    """Stable ids: the same task, stub and settings give the same id (the n-th repeat its own)."""
    from nodes.learn import config_hash

    settings_hash = config_hash(settings)
    seen: dict[tuple[str, str | None, str], int] = {}
    ids = []
    for spec in specs:
        key = (spec.task, spec.stub, json.dumps(spec.suite, sort_keys=True))
        repeat = seen.get(key, 0)
        seen[key] = repeat + 1
        text = json.dumps(
            [settings_hash, spec.task, spec.stub, repeat]
            + ([spec.suite] if spec.suite else []),
            ensure_ascii=False,
            sort_keys=True,
        )
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
    out_dir = OutDir(args.out_dir, specs) if getattr(args, "out_dir", None) is not None else None
    if out_dir is not None:
        for task in tasks:
            if task.previous is not None:
                out_dir.record(task.index, task.outcome())
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
        _run_on_ray(pending, args, settings, location, store, progress, stats, out_dir)
    print_summary(tasks, stats, ctx, out_dir=out_dir)
    return max(t.exit_code for t in tasks)


def _run_on_ray(
    pending: list[BatchTask],
    args: argparse.Namespace,
    settings: Settings,
    location: Path,
    store: EpisodeStore,
    progress: BatchProgress,
    stats: BatchStats,
    out_dir: OutDir | None,
) -> None:
    address: str | None = args.ray.strip() if args.ray is not None else None
    threads, count = (
        threads_and_workers(settings, args.workers, None) if address is None else (0, 0)
    )
    start = time.monotonic()
    with ray_session(address, threads * count):
        import ray

        if address is not None:
            threads, count = threads_and_workers(settings, args.workers, address)
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
        scheduler = Scheduler(
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
                _commit(ended, store, progress, stats, out_dir)
        except KeyboardInterrupt:
            progress.close()
            _commit_finished(scheduler, pending, store, progress, stats, out_dir)
            scheduler.stop()
            stored = sum(1 for t in pending if t.result is not None and t.result.episode)
            unfinished = sum(1 for t in pending if t.result is None)
            kept = f"; the ended tasks' code is in {out_dir.path}" if out_dir is not None else ""
            raise Interrupted(
                f"interrupted: {stored} episode(s) of this batch were stored; "
                f"{unfinished} unfinished task(s) run when the same command is given again"
                + kept
            ) from None
        finally:
            progress.close()
            if first_ready is not None:
                stats.run_seconds = time.monotonic() - first_ready
            scheduler.stop()


def _commit_finished(
    scheduler: Scheduler,
    pending: Sequence[BatchTask],
    store: EpisodeStore,
    progress: BatchProgress,
    stats: BatchStats,
    out_dir: OutDir | None,
) -> None:
    """After Ctrl-C: commit every result the workers have returned and the driver has not."""
    import ray

    try:
        ready, _ = ray.wait(list(scheduler.calls), num_returns=len(scheduler.calls), timeout=0)
        scheduler.collect([r for r in ready if scheduler.calls[r].task is not None])
    except Exception:  # the cluster is going down too; what was committed stays committed
        pass
    _commit([t for t in pending if t.result is not None], store, progress, stats, out_dir)


def _commit(
    ended: Sequence[BatchTask],
    store: EpisodeStore,
    progress: BatchProgress,
    stats: BatchStats,
    out_dir: OutDir | None,
) -> None:
    """Write the episodes of ``ended`` in one commit, then report each task (and write its
    code to ``out_dir``)."""
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
        if out_dir is not None:
            out_dir.record(task.index, task.outcome())
        if result.failed:
            progress.task_finished(task.label, f"failed: {result.error}", failed=True)
        else:
            progress.task_finished(
                task.label,
                f"{result.status} in {result.cycles} cycle(s), {result.seconds:.1f} s on "
                f"worker {result.worker}",
                failed=False,
            )
