"""The contract between the queue and whatever runs a request: what a run is given, what it
returns, where it reports, and how it stops when its client leaves.

The queue (``serve.queue``) knows only these types; the orchestrator implements
:class:`Runner` with the loop (``orchestrator.serve_commands``), the tests with a fake.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from config.settings import Settings


class RunCancelled(KeyboardInterrupt):
    """The run was stopped because its client left (or the service stops).

    It is a ``KeyboardInterrupt`` on purpose: the run takes the CLI's Ctrl-C
    path (its attempts so far are logged as an "interrupted" episode and the run
    stays resumable), and no node's ``except Exception`` can swallow it.
    """


@dataclass(frozen=True)
class RunRequest:
    """One run to do: the task, its stub and checks (``Suite.to_dict()``), and the settings
    of this run (the service's, with the request's mode and options applied)."""

    task: str
    stub: str | None
    suite: dict[str, Any] | None
    settings: Settings
    mode: str


@dataclass(frozen=True)
class RunOutcome:
    """What a finished run returns to a client: the code it returns and the evidence."""

    run_id: str
    episode_id: str | None
    status: str
    code: str
    clean: bool
    findings: list[dict[str, Any]]
    checks: list[dict[str, Any]]  # the verdicts of the examples and tests on the code
    passed: bool | None  # every example and test passed (None: none ran)
    completeness: float
    cycles: int
    stop_reason: str
    seconds: float
    prompt_tokens: int
    completion_tokens: int


class RunEvents(Protocol):
    """Where a running run reports; the report is also where a cancelled run stops."""

    def progress(self, text: str) -> None:
        """One progress line; raises :class:`RunCancelled` once the job is cancelled."""
        ...

    def note(self, text: str) -> None:
        """One line that never raises (a run's start, its interruption)."""
        ...


class Engine(Protocol):
    """The opened runner: a loaded model and the run machinery around it."""

    def check(self, request: RunRequest) -> None:
        """Raise a ``UserError`` for a request that cannot run (a prompt too long for the
        context); safe to call from another thread while a run goes on."""
        ...

    def run(self, request: RunRequest, events: RunEvents) -> RunOutcome:
        """Run ``request`` to its end, reporting to ``events``."""
        ...

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        """The ``k`` stored episodes most relevant to ``query``, best first."""
        ...

    def store_writable(self) -> bool:
        """Whether the episode store takes a file now."""
        ...


class Runner(Protocol):
    """What the queue opens once, in its worker thread: ``open()`` loads the model."""

    def open(self) -> AbstractContextManager[Engine]:
        """Load the model and open the stores; close them on exit."""
        ...
