"""The native router: ``POST /v1/generate`` takes a spec, ``GET /health`` says what is ready.

A spec is the JSON ``main.py --spec`` reads (``verify.spec``: function_name,
parameters, return_type, constraints, examples); beside its fields a request
may give ``model``, ``task``, ``tests``, ``max_tokens``, ``temperature`` and
``seed`` (:class:`~serve.protocol.GenerateOptions`).
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from serve.answers import await_outcome, mode_of, run_headers, submit
from serve.errors import ApiError, api_error, invalid_request
from serve.protocol import ErrorResponse, GenerateOptions, GenerateResponse, Health
from serve.runner import RunOutcome
from serve.service import service_of
from serve.tasks import from_spec
from verify.checks import judged_own

router = APIRouter(tags=["native"])
health_router = APIRouter(tags=["native"])


def _request_schema() -> dict[str, Any]:
    """The documented body: a spec's fields and the options beside them."""
    from verify.spec import Spec

    spec = Spec.model_json_schema()
    options = GenerateOptions.model_json_schema()
    return {
        **spec,
        "title": "GenerateRequest",
        "properties": {**spec.get("properties", {}), **options.get("properties", {})},
        "$defs": {**spec.get("$defs", {}), **options.get("$defs", {})},
    }


@router.post(
    "/generate",
    response_model=GenerateResponse,
    responses={status: {"model": ErrorResponse} for status in (400, 401, 404, 413, 503)},
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _request_schema()}}}
    },
)
async def generate(request: Request) -> JSONResponse:
    """Write the function a spec describes; its examples (and ``tests``) are the checks."""
    started = time.monotonic()
    service = service_of(request)
    body = _json_object(await request.body())
    option_names = set(GenerateOptions.model_fields)
    try:
        options = GenerateOptions.model_validate({k: v for k, v in body.items() if k in option_names})
    except ValidationError as exc:
        raise invalid_request(exc.errors()) from None
    mode = mode_of(options.model)
    spec = {k: v for k, v in body.items() if k not in option_names}
    try:
        task = from_spec(spec, task=options.task, tests=options.tests)
    except Exception as exc:
        raise api_error(exc) from None
    client = request.client.host if request.client else "local"
    job = await submit(
        service,
        task,
        mode,
        client=client,
        max_tokens=options.max_tokens,
        temperature=options.temperature,
        seed=options.seed,
    )
    outcome = await await_outcome(service, job, request)
    answer = GenerateResponse(
        status=outcome.status,
        code=outcome.code,
        confidence=confidence(outcome),
        time_taken=round(time.monotonic() - started, 3),
        findings=outcome.findings,
        run_id=outcome.run_id,
        episode_id=outcome.episode_id,
        passed=outcome.passed,
        verdicts=outcome.checks,
        queue_seconds=round(job.queue_seconds, 3),
    )
    return JSONResponse(answer.model_dump(mode="json"), headers=run_headers(outcome, job))


@health_router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    """Whether the model is loaded, how many requests wait, whether the store takes a file."""
    queue = service_of(request).queue
    writable = queue.store_writable()
    status = "error" if queue.load_error else ("ok" if queue.model_loaded else "loading")
    return Health(
        status=status,
        model_loaded=queue.model_loaded,
        queue_length=queue.waiting,
        running=queue.running,
        store_writable=writable,
        error=queue.load_error,
    )


def confidence(outcome: RunOutcome) -> float:
    """The share of the user's examples and tests the code passed (its completeness score when
    the sandbox could judge none), halved when static findings remain."""
    own = judged_own(outcome.checks)
    evidence = (
        sum(c.get("outcome") == "passed" for c in own) / len(own) if own else outcome.completeness
    )
    return round(evidence * (1.0 if outcome.clean else 0.5), 3)


def _json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object; 400 otherwise."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise ApiError(400, f"the request body is not valid JSON: {reason}", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object (a spec)", code="invalid_json")
    return data
