"""Errors as OpenAI answers them: a status and ``{"error": {message, type, param, code}}``.

Every failure a client can cause or meet gets one (bad JSON, a bad field, an
unknown model, a missing key, a body too large, a full queue, a prompt too long
for the context); anything else is a 500 whose body says "internal error" and
whose traceback goes only to the server's log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from config.errors import UserError
from serve.protocol import ErrorDetail, ErrorResponse
from serve.queue import CancelledRunError, QueueFullError, ServiceUnavailableError

log = logging.getLogger(__name__)

INVALID_REQUEST = "invalid_request_error"
AUTHENTICATION = "authentication_error"
SERVER_ERROR = "server_error"


class ApiError(Exception):
    """An answer with an error status: raise it anywhere in a route."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.detail = ErrorDetail(message=message, type=type, param=param, code=code)
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        """The JSON answer."""
        return error_response(self.status, self.detail, self.headers)


def error_response(
    status: int, detail: ErrorDetail, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """``{"error": detail}`` with ``status``."""
    body = ErrorResponse(error=detail).model_dump()
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def api_error(exc: BaseException) -> ApiError:
    """The answer to a run's (or a request's) error."""
    from decoding.errors import PromptTooLongError

    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, PromptTooLongError):
        return ApiError(400, exc.message, code="context_length_exceeded", param="messages")
    if isinstance(exc, UserError):
        return ApiError(400, exc.message, code="invalid_value")
    if isinstance(exc, QueueFullError):
        return ApiError(
            503,
            str(exc),
            type=SERVER_ERROR,
            code="queue_full",
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, ServiceUnavailableError):
        return ApiError(503, str(exc), type=SERVER_ERROR, code="unavailable")
    if isinstance(exc, CancelledRunError):
        return ApiError(503, "the run was cancelled", type=SERVER_ERROR, code="cancelled")
    log.error("internal error", exc_info=exc)
    return ApiError(500, "internal error; the server's log has the details", type=SERVER_ERROR)


def install_handlers(app: FastAPI) -> None:
    """Answer every error with OpenAI's error JSON, never a traceback."""

    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        return api_error(exc).response()

    async def on_invalid(_: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        return invalid_request(errors).response()

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        message = {404: "no such endpoint", 405: "method not allowed"}.get(status, str(exc))
        headers = exc.headers if isinstance(exc, StarletteHTTPException) else None
        code = {404: "not_found", 405: "method_not_allowed"}.get(status)
        return error_response(
            status, ErrorDetail(message=message, type=INVALID_REQUEST, code=code), headers
        )

    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        return api_error(exc).response()

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def invalid_request(errors: Sequence[Mapping[str, Any]]) -> ApiError:
    """A 400 for the first problem FastAPI (or pydantic) found in a request: bad JSON, or a
    bad field, named by its path."""
    first: Mapping[str, Any] = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part != "body"]
    if first.get("type") == "json_invalid":
        context = first.get("ctx")
        reason = context.get("error") if isinstance(context, Mapping) else None
        detail = f": {reason}" if reason else ""
        return ApiError(400, f"the request body is not valid JSON{detail}", code="invalid_json")
    if first.get("type") == "missing" and not location:
        return ApiError(400, "the request needs a JSON body", code="invalid_json")
    field = ".".join(location)
    message = str(first.get("msg", "invalid request"))
    return ApiError(
        400,
        f"{field}: {message}" if field else message,
        code="invalid_value",
        param=field or None,
    )
