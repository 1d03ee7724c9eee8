"""The one queue: requests wait here, taken fairly, and run one at a time on the one model.

A :class:`RunQueue` owns the model: its worker thread opens the :class:`Runner`
(which loads the model) once, then takes jobs round-robin across clients (each
client's own jobs in order), so a client that sends many requests cannot starve
the others. A job is cancelled when its client leaves: a waiting job leaves the
queue, a running one stops at the run's next progress report (the job raises
:class:`~serve.runner.RunCancelled` there); either way its waiter gets
:class:`CancelledRunError`. A full queue refuses new jobs with :class:`QueueFullError`.

The worker talks to the caller's asyncio loop only through the job: progress
lines go to the job's event queue and the outcome to its future, both set
thread-safely, so any asyncio server (the HTTP app, the MCP server) can wait on
a job without blocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from serve.runner import Engine, RunCancelled, Runner, RunOutcome, RunRequest

log = logging.getLogger(__name__)

#: Jobs that may wait (besides the one running) unless the service says otherwise.
DEFAULT_MAX_WAITING = 32
_STOP_WAIT_SECONDS = 60.0  # how long stopping waits for the running job to reach a checkpoint


class QueueFullError(Exception):
    """No room for another job; try again after ``retry_after`` seconds."""

    def __init__(self, waiting: int, retry_after: int) -> None:
        super().__init__(f"the queue is full ({waiting} requests waiting); retry in {retry_after} s")
        self.waiting = waiting
        self.retry_after = retry_after


class CancelledRunError(Exception):
    """The job was cancelled: its client left, or the service stopped. (The worker's
    :class:`~serve.runner.RunCancelled` is a ``KeyboardInterrupt``; this is what the waiting
    side gets, an ordinary exception no event loop treats as a signal.)"""


class ServiceUnavailableError(Exception):
    """The model could not be loaded, or the service is stopping: no job can run."""


@dataclass(eq=False)
class Job:
    """One request in the queue: its progress lines, its outcome, its cancellation."""

    request: RunRequest
    client: str
    _loop: asyncio.AbstractEventLoop
    _future: asyncio.Future[RunOutcome]
    _events: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    _cancelled: threading.Event = field(default_factory=threading.Event)
    enqueued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def queue_seconds(self) -> float:
        """Seconds the job waited before it started (so far, while it waits)."""
        end = self.started_at if self.started_at is not None else time.monotonic()
        return end - self.enqueued_at

    @property
    def cancelled(self) -> bool:
        """Whether the job was cancelled."""
        return self._cancelled.is_set()

    def done(self) -> bool:
        """Whether the job has an outcome or an error."""
        return self._future.done()

    def outcome(self) -> RunOutcome:
        """The outcome of a done job; raises the job's error."""
        return self._future.result()

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the job to end; whether it has."""
        if not self._future.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._future), timeout)
            except TimeoutError:
                return False
            except Exception:  # the job's own error: it has ended
                pass
        return True

    async def next_event(self, timeout: float) -> str | None:
        """The next progress line, or ``None`` after ``timeout`` seconds or when the job ends."""
        try:
            return await asyncio.wait_for(self._events.get(), timeout)
        except TimeoutError:
            return None

    def mark_cancelled(self) -> None:
        """Ask the job's run to stop at its next progress line."""
        self._cancelled.set()

    # --- called from the worker thread -------------------------------------------------

    def progress(self, text: str) -> None:
        """Report ``text``; raise :class:`RunCancelled` if the job was cancelled."""
        if self._cancelled.is_set():
            raise RunCancelled
        self.note(text)

    def note(self, text: str) -> None:
        """Report ``text``."""
        self._call(self._events.put_nowait, text)

    def finish(self, outcome: RunOutcome) -> None:
        """Set the outcome."""
        self._settle(lambda: self._future.set_result(outcome))

    def fail(self, error: Exception) -> None:
        """Set the error."""
        self._settle(lambda: self._future.set_exception(error))

    def _settle(self, action: Callable[[], None]) -> None:
        self.finished_at = time.monotonic()

        def settle() -> None:
            if not self._future.done():
                action()
            self._events.put_nowait(None)

        self._call(settle)

    def _call(self, function: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
            self._loop.call_soon_threadsafe(function, *args)


class RunQueue:
    """The jobs of every client, and the worker thread that runs them on the one model."""

    def __init__(self, runner: Runner, *, max_waiting: int = DEFAULT_MAX_WAITING) -> None:
        self._runner = runner
        self._max_waiting = max_waiting
        self._lock = threading.Condition()
        self._waiting: OrderedDict[str, deque[Job]] = OrderedDict()
        self._running: Job | None = None
        self._engine: Engine | None = None
        self._ready = threading.Event()
        self._load_error: str | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._run_seconds: deque[float] = deque(maxlen=16)

    # --- lifetime -------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker: it loads the model, then runs jobs as they come."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="supercoder-queue", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Refuse new jobs, cancel the waiting and the running ones, unload the model."""
        with self._lock:
            self._stopping = True
            waiting = self._take_all_waiting()
            if self._running is not None:
                self._running.mark_cancelled()
            self._lock.notify_all()
        for job in waiting:
            job.fail(ServiceUnavailableError("the service is stopping"))
        if self._thread is not None:
            self._thread.join(_STOP_WAIT_SECONDS)

    async def ready(self) -> None:
        """Wait until the model is loaded; ``ServiceUnavailableError`` if it could not be."""
        while not self._ready.is_set():
            await asyncio.sleep(0.1)
        if self._load_error is not None:
            raise ServiceUnavailableError(self._load_error)

    # --- what the service asks -------------------------------------------------------

    @property
    def model_loaded(self) -> bool:
        """Whether the model is loaded and jobs can run."""
        return self._engine is not None

    @property
    def load_error(self) -> str | None:
        """Why the model could not be loaded, if it could not."""
        return self._load_error

    @property
    def waiting(self) -> int:
        """Jobs waiting to run (not counting the running one)."""
        with self._lock:
            return sum(len(jobs) for jobs in self._waiting.values())

    @property
    def running(self) -> bool:
        """Whether a job is running now."""
        return self._running is not None

    def position(self, job: Job) -> int:
        """How many jobs run before ``job`` (0: it runs now or next); -1 once it has started."""
        with self._lock:
            if job.started_at is not None:
                return -1
            order = list(_round_robin(self._waiting))
            return order.index(job) if job in order else -1

    def store_writable(self) -> bool | None:
        """Whether the episode store takes a file (None while the model loads)."""
        engine = self._engine
        return engine.store_writable() if engine is not None else None

    def check(self, request: RunRequest) -> None:
        """Refuse a request that cannot run (``UserError``); nothing is checked before the
        model has loaded: then the run itself refuses it."""
        engine = self._engine
        if engine is not None:
            engine.check(request)

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        """Search the episode store; ``ServiceUnavailableError`` before it is open."""
        engine = self._engine
        if engine is None:
            raise ServiceUnavailableError(self._load_error or "the model and the store are still loading")
        return engine.search(query, k)

    def submit(self, request: RunRequest, *, client: str) -> Job:
        """Queue ``request`` for ``client`` (call from the asyncio loop that will wait on it);
        ``QueueFullError`` when the queue is full, ``ServiceUnavailableError`` when nothing can run."""
        loop = asyncio.get_running_loop()
        job = Job(request, client, loop, loop.create_future())
        with self._lock:
            if self._stopping:
                raise ServiceUnavailableError("the service is stopping")
            if self._load_error is not None:
                raise ServiceUnavailableError(self._load_error)
            waiting = sum(len(jobs) for jobs in self._waiting.values())
            if waiting >= self._max_waiting:
                raise QueueFullError(waiting, self._retry_after())
            self._waiting.setdefault(client, deque()).append(job)
            self._lock.notify_all()
        return job

    def cancel(self, job: Job) -> None:
        """Cancel ``job``: take it out of the queue, or stop it if it runs."""
        with self._lock:
            job.mark_cancelled()
            jobs = self._waiting.get(job.client)
            if jobs is not None and job in jobs:
                jobs.remove(job)
                if not jobs:
                    del self._waiting[job.client]
                removed = True
            else:
                removed = False
        if removed:
            job.fail(CancelledRunError("cancelled before it started"))

    def _retry_after(self) -> int:
        """Seconds until a place is likely free: the mean recent run time (30 s before any)."""
        mean = sum(self._run_seconds) / len(self._run_seconds) if self._run_seconds else 30.0
        return max(1, round(mean))

    # --- the worker ------------------------------------------------------------------

    def _work(self) -> None:
        try:
            with self._runner.open() as engine:
                self._engine = engine
                self._ready.set()
                while (job := self._next()) is not None:
                    self._run(engine, job)
        except BaseException as exc:  # the model did not load: every job fails alike
            from config.errors import UserError

            message = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, UserError):
                log.exception("the model could not be loaded")
            with self._lock:
                self._load_error = f"the model could not be loaded: {message}"
                waiting = self._take_all_waiting()
            for job in waiting:
                job.fail(ServiceUnavailableError(self._load_error))
        finally:
            self._engine = None
            self._ready.set()

    def _next(self) -> Job | None:
        """The next job, round-robin across clients; None when stopping."""
        with self._lock:
            while not self._stopping and not self._waiting:
                self._lock.wait()
            if self._stopping:
                return None
            client, jobs = next(iter(self._waiting.items()))
            job = jobs.popleft()
            del self._waiting[client]
            if jobs:  # the client goes to the back of the line
                self._waiting[client] = jobs
            self._running = job
            job.started_at = time.monotonic()
            return job

    def _run(self, engine: Engine, job: Job) -> None:
        try:
            job.note(f"started after {job.queue_seconds:.1f} s in the queue")
            outcome = engine.run(job.request, job)
        except KeyboardInterrupt as exc:  # RunCancelled, or the CLI's Ctrl-C path it took
            job.fail(CancelledRunError(*exc.args))
        except Exception as exc:  # a user error (a prompt too long) or a bug: the job's error
            job.fail(exc)
        else:
            job.finish(outcome)
        finally:
            with self._lock:
                self._running = None
                if job.started_at is not None:
                    self._run_seconds.append(time.monotonic() - job.started_at)

    def _take_all_waiting(self) -> list[Job]:
        jobs = [job for queue in self._waiting.values() for job in queue]
        self._waiting.clear()
        return jobs


def _round_robin(waiting: OrderedDict[str, deque[Job]]) -> Iterable[Job]:
    """The waiting jobs in the order the worker will take them."""
    queues = [list(jobs) for jobs in waiting.values()]
    depth = max((len(q) for q in queues), default=0)
    for index in range(depth):
        for jobs in queues:
            if index < len(jobs):
                yield jobs[index]
