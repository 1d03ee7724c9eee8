"""Safe by default: loopback unless a key is set, bearer keys compared in constant time,
request bodies bounded.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.errors import UsageError
from serve.errors import AUTHENTICATION, ApiError

DEFAULT_MAX_BODY_BYTES = 1 << 20  # 1 MiB: a task, a stub and tests, with room to spare


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, api_key: str | None) -> None:
    """``UsageError`` unless ``host`` is loopback or an API key protects the service."""
    if not is_loopback(host) and not api_key:
        raise UsageError(
            f"binding {host} exposes the service beyond this machine: give --api-key KEY "
            "(or SUPERCODER_API_KEY), or bind 127.0.0.1"
        )


def bearer_matches(authorization: str | None, api_key: str) -> bool:
    """Whether the ``Authorization`` header is ``Bearer <api_key>`` (constant-time)."""
    scheme, _, token = (authorization or "").partition(" ")
    given = token.strip().encode("utf-8") if scheme.lower() == "bearer" else b""
    return hmac.compare_digest(given, api_key.encode("utf-8"))


def require_key(api_key: str | None) -> Callable[[Request], Awaitable[None]]:
    """A dependency that answers 401 unless the request carries the bearer key (none set: all
    requests pass)."""

    async def check(request: Request) -> None:
        if api_key is not None and not bearer_matches(request.headers.get("authorization"), api_key):
            raise ApiError(
                401,
                "a valid API key is required: send the header Authorization: Bearer KEY",
                type=AUTHENTICATION,
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


class BodyLimit:
    """ASGI middleware: read each request body up to ``max_bytes`` before the app sees it,
    and answer 413 (OpenAI's error JSON) past it."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send, declared.isdigit())
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client left before sending it all
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.max_bytes:
                await self._refuse(send, True)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, too_large: bool) -> None:
        status, message, code = (
            (413, f"the request body is larger than {self.max_bytes} bytes", "request_too_large")
            if too_large
            else (400, "the Content-Length header is not a number", "invalid_request")
        )
        detail = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
        body = json.dumps({"error": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
