"""What a person sees of a batch: one line per event on stderr, a live count, a summary.

On a terminal a live line under the log shows done / failed / running /
queued and the ETA; without one the same count ends every "done" line, so a
log file shows the progress too. Text from a user, the model or a tool is
printed literally.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.status import Status
from rich.table import Table
from rich.text import Text

from orchestrator.rendering import add_literal_row, literal_table

if TYPE_CHECKING:
    from orchestrator.batch import OutDir
    from orchestrator.cluster.tasks import BatchStats, BatchTask
    from orchestrator.command import CommandContext


def duration(seconds: float) -> str:
    """``42s``, ``3m05s`` or ``2h07m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class BatchProgress:
    """Counts of the batch's tasks, with an ETA from the rate of finished tasks."""

    def __init__(self, console: Console, *, total: int, quiet: bool) -> None:
        self.console = console
        self.total = total
        self.quiet = quiet
        self.done = 0
        self.failed = 0
        self.running = 0
        self._started: float | None = None  # when the first worker was ready
        self._status: Status | None = None

    @property
    def queued(self) -> int:
        """Tasks neither finished nor running."""
        return self.total - self.done - self.failed - self.running

    def eta(self) -> float | None:
        """Seconds until every task is finished at the rate so far; None before the first."""
        finished = self.done + self.failed
        if self._started is None or finished == 0:
            return None
        rate = finished / max(time.monotonic() - self._started, 1e-9)
        return (self.total - finished) / rate

    def counts(self) -> str:
        """``done 3/10 · failed 0 · running 2 · queued 5 · ETA 1m10s``."""
        eta = self.eta()
        return (
            f"done {self.done}/{self.total} · failed {self.failed} · running {self.running} · "
            f"queued {self.queued} · ETA {duration(eta) if eta is not None else '-'}"
        )

    def note(self, text: str) -> None:
        """A line of the log (printed literally)."""
        if not self.quiet:
            self.console.print(Text(text), highlight=False)

    def worker_ready(self, name: str, threads: int, load_seconds: float) -> None:
        """A worker loaded its model."""
        if self._started is None:
            self._started = time.monotonic()
        self.note(f"worker {name} ready: {threads} thread(s), model loaded in {load_seconds:.1f} s")

    def task_started(self, label: str, worker: str) -> None:
        """A worker took a task."""
        self.running += 1
        self.note(f"task {label} started on worker {worker}")

    def task_finished(self, label: str, text: str, *, failed: bool) -> None:
        """A task ended: its episode is in the store, or it failed."""
        self.running -= 1
        if failed:
            self.failed += 1
        else:
            self.done += 1
        suffix = "" if self.console.is_terminal else f" [{self.counts()}]"
        self.note(f"task {label} {text}{suffix}")

    def task_requeued(self, label: str, text: str) -> None:
        """A task's worker died; the task goes back to the queue."""
        self.running -= 1
        self.note(f"task {label}: {text}")

    def refresh(self) -> None:
        """Redraw the live line (on a terminal only)."""
        if self.quiet or not self.console.is_terminal:
            return
        if self._status is None:
            self._status = self.console.status(Text(self.counts()))
            self._status.start()
        else:
            self._status.update(Text(self.counts()))

    def close(self) -> None:
        """Remove the live line."""
        if self._status is not None:
            self._status.stop()
            self._status = None


def summary_table(tasks: Sequence[BatchTask]) -> Table:
    """One row per task: status, cycles, seconds, worker, worker deaths, episode."""
    table = literal_table(
        "batch summary",
        ("task", "status", "cycles", "seconds", "worker", "retries", "episode"),
    )
    for task in tasks:
        result = task.result
        if result is None and task.previous is not None:
            status = f"{task.previous.outcome.value} (stored before)"
            add_literal_row(table, task.label, status, "-", "-", "-", "-", task.task_id)
        elif result is None:
            add_literal_row(table, task.label, "unfinished", "-", "-", "-", str(task.deaths), "-")
        elif result.failed:
            table.add_row(
                Text(task.label),
                Text.assemble(("failed", "red"), " ", result.error),
                "-",
                f"{result.seconds:.1f}",
                Text(result.worker),
                str(task.deaths),
                "-",
            )
        else:
            add_literal_row(
                table,
                task.label,
                result.status,
                str(result.cycles),
                f"{result.seconds:.1f}",
                result.worker,
                str(task.deaths),
                task.task_id,
            )
    return table


def print_summary(
    tasks: Sequence[BatchTask],
    stats: BatchStats,
    ctx: CommandContext,
    *,
    out_dir: OutDir | None = None,
) -> None:
    """The summary table and a line of counts (and what ``--out-dir`` holds), or the ``--json``
    document, whose task entries name their file in ``out_dir``."""
    counts: dict[str, int] = {}
    for task in tasks:
        key = "already stored" if task.previous is not None else task.status
        counts[key] = counts.get(key, 0) + 1
    if ctx.json_output:
        document = {
            "tasks": [
                t.to_dict() | {"file": out_dir.file_of(t.index) if out_dir else None} for t in tasks
            ],
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
    if out_dir is not None:
        ctx.console.print(out_dir.summary())
