"""The MCP server (stdio): two tools over the same queue as the HTTP service.

- ``generate_code(task, stub?, tests?)``: runs the loop; returns the code, its
  status, findings, verdicts, and the run and episode ids. Progress lines go to
  the client as progress notifications; a cancelled call cancels its run.
- ``search_episodes(query, k)``: the stored episodes most relevant to a query.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from config.errors import UserError
from config.settings import Settings
from serve.modes import run_settings
from serve.queue import CancelledRunError, QueueFullError, RunQueue, ServiceUnavailableError
from serve.runner import RunRequest
from serve.tasks import from_arguments

#: Seconds between progress notifications while nothing new happens.
_HEARTBEAT_SECONDS = 10.0


class GeneratedCode(BaseModel):
    """What ``generate_code`` returns."""

    code: str
    status: str = Field(description="clean, limit, refused or stopped: as `main.py run`")
    passed: bool | None = Field(description="every example and test passed; null: none ran")
    findings: list[dict[str, Any]] = Field(description="the static tests' findings on the code")
    verdicts: list[dict[str, Any]] = Field(description="each example and test run in the sandbox")
    run_id: str
    episode_id: str | None


class EpisodeHit(BaseModel):
    """One episode ``search_episodes`` found."""

    id: str
    task: str
    outcome: str
    review_status: str
    score: float
    final_code: str


def create_mcp_server(settings: Settings, queue: RunQueue) -> MCPServer[None]:
    """The MCP server on ``queue`` (started and stopped with the server's session)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[None]) -> AsyncIterator[None]:
        queue.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(queue.stop)

    server: MCPServer[None] = MCPServer(
        "supercoder",
        instructions="Local, offline Python code generation: generate_code runs a generate / "
        "static test / sandboxed verification / reflect loop; search_episodes finds past runs.",
        lifespan=lifespan,
    )

    @server.tool()
    async def generate_code(
        task: str, ctx: Context, stub: str | None = None, tests: str | None = None
    ) -> GeneratedCode:
        """Write a Python function for ``task``. ``stub``: imports, signature and docstring to
        complete; ``tests``: asserts or test_* functions the code must pass (run in a
        WebAssembly sandbox, never on the host)."""
        try:
            given = from_arguments(task, stub, tests)
            if given.suite and not settings.verify.enabled:
                raise ToolError("tests need the sandbox, and this server runs with verify off")
            request = RunRequest(
                given.task, given.stub, given.suite, run_settings(settings, "loop"), "loop"
            )
            await anyio.to_thread.run_sync(queue.check, request)
            job = queue.submit(request, client="mcp")
        except (UserError, QueueFullError, ServiceUnavailableError) as exc:
            raise ToolError(_message(exc)) from None
        step = 0
        try:
            while not job.done():
                text = await job.next_event(_HEARTBEAT_SECONDS)
                step += 1
                await ctx.report_progress(step, None, text or "working")
            outcome = job.outcome()
        except asyncio.CancelledError:
            queue.cancel(job)
            raise
        except (UserError, ServiceUnavailableError, CancelledRunError) as exc:
            raise ToolError(_message(exc)) from None
        return GeneratedCode(
            code=outcome.code,
            status=outcome.status,
            passed=outcome.passed,
            findings=outcome.findings,
            verdicts=outcome.checks,
            run_id=outcome.run_id,
            episode_id=outcome.episode_id,
        )

    @server.tool()
    async def search_episodes(query: str, k: int = 5) -> list[EpisodeHit]:
        """The ``k`` (1-50) stored episodes of past runs most relevant to ``query``: their
        task, outcome, review status and final code."""
        if not 1 <= k <= 50:
            raise ToolError("k must be between 1 and 50")
        try:
            await queue.ready()
            hits = await anyio.to_thread.run_sync(queue.search, query, k)
        except (UserError, ServiceUnavailableError) as exc:
            raise ToolError(_message(exc)) from None
        return [EpisodeHit.model_validate(hit) for hit in hits]

    return server


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, UserError) else str(exc)
