"""The HTTP service: ``create_app(settings, runner)`` builds it, one router per protocol.

- ``serve.openai_api``: ``POST /v1/chat/completions`` and ``GET /v1/models``;
- ``serve.native_api``: ``POST /v1/generate`` (a spec) and ``GET /health``.

The app owns one :class:`~serve.queue.RunQueue`, started and stopped with the
app (the model loads in the queue's worker when the app starts; ``/health``
says when it is loaded). Every route finds it, with the settings and options,
on ``app.state.service`` (``serve.service``): nothing lives at module level.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from config.settings import Settings
from serve import native_api, openai_api
from serve.errors import install_handlers
from serve.queue import RunQueue
from serve.runner import Runner
from serve.security import BodyLimit, require_key
from serve.service import ServeOptions, Service


def create_app(settings: Settings, runner: Runner, options: ServeOptions | None = None) -> FastAPI:
    """The service on ``runner`` (which loads the model when the app starts)."""
    options = options or ServeOptions()
    queue = RunQueue(runner, max_waiting=options.max_waiting)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        queue.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(queue.stop)

    app = FastAPI(
        title="supercoder",
        summary="The local code-generation loop behind an OpenAI-compatible API",
        lifespan=lifespan,
    )
    app.state.service = Service(settings, queue, options)
    app.add_middleware(BodyLimit, max_bytes=options.max_body_bytes)
    install_handlers(app)
    key = [Depends(require_key(options.api_key))]
    app.include_router(openai_api.router, prefix="/v1", dependencies=key)
    app.include_router(native_api.router, prefix="/v1", dependencies=key)
    app.include_router(native_api.health_router)
    return app
