"""A batch's tasks on Ray and what became of each, and the batch's timings.

The driver and its scheduler (``driver``, ``scheduler``) fill these in; the
view (``view``) prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.batch import TaskOutcome
from orchestrator.command import EXIT_CLEAN, EXIT_ERROR, EXIT_NOT_CLEAN

if TYPE_CHECKING:
    from memory.episode import Attempt, Episode
    from orchestrator.cluster.worker import TaskResult
    from orchestrator.tasks import TaskSpec


@dataclass
class BatchTask:
    """One task of the batch and what became of it."""

    index: int
    spec: TaskSpec
    task_id: str  # also the id of its episode
    deaths: int = 0  # workers that died while running it
    result: TaskResult | None = None
    previous: Episode | None = None  # its episode, when it was in the store already
    committed: bool = False  # its result was handled: its episode (if any) is in the store

    @property
    def label(self) -> str:
        """The task's ``id`` from the file, or its line number."""
        return self.spec.label or str(self.index + 1)

    @property
    def status(self) -> str:
        """``clean``, ``limit``, ... for a run; ``failed``; or ``unfinished``."""
        if self.result is not None:
            return self.result.status
        return self.previous.outcome.value if self.previous is not None else "unfinished"

    @property
    def exit_code(self) -> int:
        """0 clean, 1 not clean, 2 failed (an unfinished task counts as not clean)."""
        if self.status == "failed":
            return EXIT_ERROR
        return EXIT_CLEAN if self.status == "clean" else EXIT_NOT_CLEAN

    @property
    def episode(self) -> Episode | None:
        """Its episode: returned by a worker in this batch, or in the store before it."""
        return self.result.episode if self.result is not None else self.previous

    def returned_attempt(self) -> Attempt | None:
        """The attempt whose code the task returned (its episode's final code)."""
        episode = self.episode
        if episode is None:
            return None
        return next((a for a in reversed(episode.attempts) if a.code == episode.final_code), None)

    def outcome(self) -> TaskOutcome:
        """What ``--out-dir``'s manifest records of the task."""
        episode = self.episode
        returned = self.returned_attempt()
        result = self.result
        return TaskOutcome(
            status=self.status,
            code=episode.final_code if episode is not None else None,
            findings=[f.to_dict() for f in returned.findings] if returned is not None else [],
            checks=list(returned.verification.get("checks") or []) if returned is not None else [],
            episode_id=self.task_id if episode is not None else None,
            error=result.error if result is not None and result.failed else "",
        )

    def to_dict(self) -> dict[str, Any]:
        """The task's entry in the ``--json`` document."""
        result = self.result
        episode = self.episode
        returned = self.returned_attempt()
        return {
            "label": self.label,
            "task": self.spec.task,
            "task_id": self.task_id,
            "status": self.status,
            "already_stored": self.previous is not None,
            "episode_id": self.task_id if episode is not None else None,
            "cycles": len(episode.attempts) if episode is not None else None,
            "seconds": round(result.seconds, 3) if result is not None else None,
            "worker": result.worker if result is not None else None,
            "worker_deaths": self.deaths,
            "error": result.error if result is not None and result.failed else None,
            "code": episode.final_code if episode is not None else None,
            "findings": [f.to_dict() for f in returned.findings] if returned is not None else None,
        }


@dataclass
class BatchStats:
    """Timings of the batch as a whole."""

    workers: int
    threads_per_worker: int
    cluster: str  # "local" or the address joined
    ray_start_seconds: float = 0.0
    first_ready_seconds: float = 0.0  # from the start of Ray to the first loaded worker
    run_seconds: float = 0.0  # from the first loaded worker to the last task's end
    commit_seconds: float = 0.0  # the driver's time writing episodes
    commits: int = 0
    episodes_written: int = 0
    worker_deaths: int = 0
    ran: int = 0  # tasks run to an end (done or failed) in this invocation

    def to_dict(self) -> dict[str, Any]:
        """Figures for ``--json``."""
        per_minute = 60.0 * self.ran / self.run_seconds if self.run_seconds > 0 else None
        return {
            "workers": self.workers,
            "threads_per_worker": self.threads_per_worker,
            "cluster": self.cluster,
            "ray_start_seconds": round(self.ray_start_seconds, 3),
            "first_ready_seconds": round(self.first_ready_seconds, 3),
            "run_seconds": round(self.run_seconds, 3),
            "tasks_per_minute": round(per_minute, 3) if per_minute is not None else None,
            "commit_seconds": round(self.commit_seconds, 3),
            "commits": self.commits,
            "episodes_written": self.episodes_written,
            "worker_deaths": self.worker_deaths,
        }
