"""What every route needs, kept on ``app.state.service``: the settings, the queue, the options."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Request

from config.settings import Settings
from serve.queue import DEFAULT_MAX_WAITING, RunQueue
from serve.security import DEFAULT_MAX_BODY_BYTES

#: Seconds between keep-alive comments of a streamed answer with nothing else to say.
DEFAULT_KEEPALIVE_SECONDS = 10.0


@dataclass(frozen=True)
class ServeOptions:
    """How the service answers: its key, its limits and its keep-alive interval."""

    api_key: str | None = None  # None: no key is asked (loopback only; see security.check_bind)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_waiting: int = DEFAULT_MAX_WAITING
    keepalive_seconds: float = DEFAULT_KEEPALIVE_SECONDS


@dataclass(frozen=True)
class Service:
    """The service's settings (each request's start from them), the queue that owns the
    model, and the options."""

    settings: Settings
    queue: RunQueue
    options: ServeOptions
    started: int = field(default_factory=lambda: int(time.time()))


def service_of(request: Request) -> Service:
    """The service of the app that answers ``request``."""
    service = request.app.state.service
    if not isinstance(service, Service):
        raise RuntimeError("the app has no service: build it with serve.app.create_app")
    return service
