"""The OpenAI-compatible router: ``POST /v1/chat/completions`` and ``GET /v1/models``.

The last user message is the task; its first Python code block, if any, is the
stub. The answer is the run's code in a Python code block. With ``stream:
true`` it comes as server-sent events: while the run works, comment lines
(``: cycle 1/3 generate ...``) carry its progress and keep the connection
alive; then the code block as content deltas, a last chunk with the finish
reason and the ``supercoder`` field, and ``data: [DONE]``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from serve.answers import (
    FinishReason,
    await_outcome,
    code_block,
    finish_reason,
    mode_of,
    run_headers,
    run_info,
    submit,
)
from serve.errors import ApiError, api_error
from serve.modes import MODEL_IDS
from serve.protocol import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ErrorResponse,
    ModelCard,
    ModelList,
    RunInfo,
    Usage,
)
from serve.queue import Job
from serve.service import Service, service_of
from serve.tasks import Task, from_message, message_text

router = APIRouter(tags=["OpenAI-compatible"])

_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 404, 413, 503)
}


@router.get("/models", response_model=ModelList, responses=_ERRORS)
async def list_models(request: Request) -> ModelList:
    """The model ids: the modes of the loop on the loaded model."""
    service = service_of(request)
    return ModelList(data=[ModelCard(id=name, created=service.started) for name in MODEL_IDS])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={**_ERRORS, 200: {"content": {"text/event-stream": {}}}},
)
async def chat_completions(
    body: ChatCompletionRequest, request: Request
) -> JSONResponse | StreamingResponse:
    """Run the loop on the last user message; the answer is a Python code block."""
    service = service_of(request)
    mode = mode_of(body.model)
    task = _task_of(body)
    client = body.user or (request.client.host if request.client else "local")
    job = await submit(
        service,
        task,
        mode,
        client=client,
        max_tokens=body.max_completion_tokens or body.max_tokens,
        temperature=body.temperature,
        seed=body.seed,
    )
    completion_id = f"chatcmpl-{secrets.token_hex(12)}"
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _stream(service, job, body.model, completion_id, include_usage=include_usage),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    outcome = await await_outcome(service, job, request)
    completion = ChatCompletion(
        id=completion_id,
        created=int(time.time()),
        model=body.model,
        choices=[
            Choice(
                message=AssistantMessage(content=code_block(outcome.code)),
                finish_reason=finish_reason(outcome),
            )
        ],
        usage=_usage(outcome.prompt_tokens, outcome.completion_tokens),
        supercoder=run_info(outcome, job),
    )
    return JSONResponse(completion.model_dump(mode="json"), headers=run_headers(outcome, job))


def _task_of(body: ChatCompletionRequest) -> Task:
    """The task of the last user message; 400 when there is none or it cannot be run."""
    users = [m for m in body.messages if m.role == "user"]
    if not users:
        raise ApiError(400, "messages: no user message to take the task from", param="messages")
    try:
        return from_message(message_text(users[-1].content))
    except Exception as exc:
        raise api_error(exc) from None


def _usage(prompt: int, completion: int) -> Usage:
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


async def _stream(
    service: Service, job: Job, model: str, completion_id: str, *, include_usage: bool
) -> AsyncIterator[str]:
    """The events of a streamed answer; the job is cancelled if the stream stops early (the
    client left)."""
    created = int(time.time())

    def chunk(
        delta: Delta | None,
        finish: FinishReason | None = None,
        *,
        usage: Usage | None = None,
        info: RunInfo | None = None,
    ) -> str:
        choices = [] if delta is None else [ChunkChoice(delta=delta, finish_reason=finish)]
        event = ChatCompletionChunk(
            id=completion_id,
            created=created,
            model=model,
            choices=choices,
            usage=usage,
            supercoder=info,
        )
        return f"data: {event.model_dump_json(exclude_none=True)}\n\n"

    try:
        yield chunk(Delta(role="assistant", content=""))
        while True:  # every progress line, in order, until the job's end
            text = await job.next_event(service.options.keepalive_seconds)
            if text is None:
                if job.done():
                    break
                position = service.queue.position(job)
                text = f"queued, position {position + 1}" if position >= 0 else "keep-alive"
            yield _comment(text)
        try:
            outcome = job.outcome()
        except Exception as exc:
            yield f"data: {ErrorResponse(error=api_error(exc).detail).model_dump_json()}\n\n"
            return
        yield _comment(f"run {outcome.run_id} ended {outcome.status}; episode {outcome.episode_id}")
        for line in code_block(outcome.code).splitlines(keepends=True):
            yield chunk(Delta(content=line))
        yield chunk(Delta(), finish_reason(outcome), info=run_info(outcome, job))
        if include_usage:
            yield chunk(None, usage=_usage(outcome.prompt_tokens, outcome.completion_tokens))
        yield "data: [DONE]\n\n"
    except (asyncio.CancelledError, GeneratorExit):
        service.queue.cancel(job)
        raise
    finally:
        if not job.done():
            service.queue.cancel(job)


def _comment(text: str) -> str:
    """An SSE comment line (clients skip it; it keeps the connection alive)."""
    return ": " + " ".join(text.split()) + "\n\n"
