"""What the routers share: queueing a task, waiting for it while the client stays, and the
run's evidence as the extra field and as headers."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

import anyio.to_thread

from serve.errors import ApiError, api_error
from serve.modes import MODEL_IDS, Mode, run_settings
from serve.protocol import RunInfo
from serve.queue import Job
from serve.runner import RunOutcome, RunRequest

if TYPE_CHECKING:
    from fastapi import Request

    from serve.service import Service
    from serve.tasks import Task

FinishReason = Literal["stop", "length"]
#: Seconds between checks that a client waiting for a whole answer is still there.
DISCONNECT_POLL_SECONDS = 0.5


def mode_of(model: str) -> Mode:
    """The mode a model id selects; 404 (OpenAI's ``model_not_found``) for any other id."""
    mode = MODEL_IDS.get(model)
    if mode is None:
        raise ApiError(
            404,
            f"the model {model!r} does not exist; choose one of {', '.join(MODEL_IDS)}",
            code="model_not_found",
            param="model",
        )
    return mode


async def submit(
    service: Service,
    task: Task,
    mode: Mode,
    *,
    client: str,
    max_tokens: int | None = None,
    temperature: float | None = None,
    seed: int | None = None,
) -> Job:
    """Check ``task`` and queue it; an :class:`ApiError` for anything that cannot run."""
    try:
        settings = run_settings(
            service.settings, mode, max_tokens=max_tokens, temperature=temperature, seed=seed
        )
        if task.suite and not settings.verify.enabled:
            raise ApiError(400, "tests need the sandbox, and this service runs with verify off")
        request = RunRequest(task.task, task.stub, task.suite, settings, mode)
        await anyio.to_thread.run_sync(service.queue.check, request)
        return service.queue.submit(request, client=client)
    except Exception as exc:
        raise api_error(exc) from None


async def await_outcome(service: Service, job: Job, request: Request) -> RunOutcome:
    """The outcome of ``job``; the job is cancelled if the client leaves first (then no one
    reads the answer) and its error is raised as an :class:`ApiError`."""
    try:
        while not await job.wait(DISCONNECT_POLL_SECONDS):
            if await request.is_disconnected():
                service.queue.cancel(job)
                raise ApiError(499, "the client closed the request", code="client_closed")
    except asyncio.CancelledError:
        service.queue.cancel(job)
        raise
    try:
        return job.outcome()
    except Exception as exc:
        raise api_error(exc) from None


def run_info(outcome: RunOutcome, job: Job) -> RunInfo:
    """The extra field ``supercoder`` of an answer."""
    return RunInfo(
        run_id=outcome.run_id,
        episode_id=outcome.episode_id,
        mode=job.request.mode,
        status=outcome.status,
        passed=outcome.passed,
        findings=outcome.findings,
        verdicts=outcome.checks,
        cycles=outcome.cycles,
        completeness=outcome.completeness,
        seconds=round(outcome.seconds, 3),
        queue_seconds=round(job.queue_seconds, 3),
    )


def run_headers(outcome: RunOutcome, job: Job) -> dict[str, str]:
    """The run's evidence in ``X-Supercoder-*`` headers (counts; the lists are in the body)."""
    passed = sum(c.get("outcome") == "passed" for c in outcome.checks)
    return {
        "X-Supercoder-Run-Id": outcome.run_id,
        "X-Supercoder-Episode-Id": outcome.episode_id or "",
        "X-Supercoder-Status": outcome.status,
        "X-Supercoder-Findings": str(len(outcome.findings)),
        "X-Supercoder-Verdicts": f"{passed}/{len(outcome.checks)} passed",
        "X-Supercoder-Queue-Seconds": f"{job.queue_seconds:.3f}",
    }


def code_block(code: str) -> str:
    """The answer's text: the code in a Python code block."""
    return f"```python\n{code.rstrip()}\n```"


def finish_reason(outcome: RunOutcome) -> FinishReason:
    """``length`` when the returned code was cut at ``max_tokens``, else ``stop``."""
    return "length" if outcome.stop_reason == "max_tokens" else "stop"
