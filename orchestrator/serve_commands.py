"""``main.py serve`` and ``main.py mcp``: the loop as a local service, on the CLI's machinery.

``serve`` answers HTTP (an OpenAI-compatible API and a native spec endpoint,
``serve.app``); ``mcp`` speaks MCP over stdio (``serve.mcp_server``). Both put
requests in one queue that owns the model. This module is where the service
meets the loop: :class:`LoopRunner` opens what a CLI run opens
(``resources.open_run_resources``) and runs each request with ``execute_run``,
so every request is a run in the run database and an episode in the store, as
a CLI run is. A run whose client leaves stops at its next progress report and
takes the CLI's Ctrl-C path: what it did is logged as an "interrupted" episode
and the run stays resumable (``main.py resume RUN_ID``).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from config.errors import UsageError
from orchestrator.command import EXIT_CLEAN, CommandContext
from orchestrator.run_args import add_model_and_loop_flags

if TYPE_CHECKING:
    import socket

    from rich.text import Text

    from decoding.chat import ChatTemplate
    from nodes.context import RunContext
    from nodes.progress import ProgressView
    from orchestrator.graph import LoopGraph
    from orchestrator.report import RunReport
    from serve.runner import RunEvents, RunOutcome, RunRequest

DEFAULT_PORT = 8000
API_KEY_VARIABLE = "SUPERCODER_API_KEY"


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``serve`` and ``mcp`` commands."""
    serve = subparsers.add_parser(
        "serve",
        parents=[common],
        help="serve the loop over HTTP: an OpenAI-compatible API and a spec endpoint",
        description="Serve the loop over HTTP on one loaded model: POST /v1/chat/completions "
        "(model ids supercoder, supercoder-beams, supercoder-greedy), GET /v1/models, "
        "POST /v1/generate (a spec), GET /health.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)"
    )
    serve.add_argument(
        "--api-key",
        help=f"require 'Authorization: Bearer KEY' (or set {API_KEY_VARIABLE}); needed to bind "
        "any address but loopback",
    )
    serve.add_argument(
        "--max-queue", type=int, default=32, help="requests that may wait (default 32); more: 503"
    )
    serve.add_argument(
        "--max-body-bytes", type=int, default=1 << 20, help="largest request body (default 1 MiB)"
    )
    _add_model_flags(serve)
    serve.set_defaults(handler=handle_serve)

    mcp = subparsers.add_parser(
        "mcp",
        parents=[common],
        help="serve the loop as an MCP server over stdio (tools generate_code, search_episodes)",
    )
    _add_model_flags(mcp)
    mcp.set_defaults(handler=handle_mcp)


def _add_model_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "model and loop (override the YAML; a request may set its own max_tokens, temperature, seed)"
    )
    add_model_and_loop_flags(group)


def handle_serve(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Serve HTTP until interrupted."""
    import uvicorn

    from orchestrator.model_setup import resolve_with_progress
    from orchestrator.runs import open_checkpointer
    from serve.app import create_app
    from serve.security import check_bind
    from serve.service import ServeOptions

    api_key = args.api_key or os.environ.get(API_KEY_VARIABLE) or None
    check_bind(args.host, api_key)
    if args.max_queue < 1 or args.max_body_bytes < 1024:
        raise UsageError("--max-queue must be at least 1 and --max-body-bytes at least 1024")
    model_file = resolve_with_progress(ctx.settings.model.path, quiet=ctx.quiet)
    with open_checkpointer(ctx.data_dir):  # a bad data folder fails here, before the model loads
        pass
    listener = _listen(args.host, args.port)
    options = ServeOptions(
        api_key=api_key, max_body_bytes=args.max_body_bytes, max_waiting=args.max_queue
    )
    app = create_app(ctx.settings, LoopRunner(ctx), options)
    host, port = listener.getsockname()[:2]
    where = f"[{host}]" if ":" in host else host
    _say(
        f"serving on http://{where}:{port} (model {model_file.name}; it loads now, GET /health "
        f"says when it is ready; data in {ctx.data_dir})"
    )
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[listener])
    return EXIT_CLEAN


def handle_mcp(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Serve MCP over stdio until the client closes it."""
    from orchestrator.model_setup import resolve_with_progress
    from serve.mcp_server import create_mcp_server
    from serve.queue import RunQueue

    resolve_with_progress(ctx.settings.model.path, quiet=True)
    queue = RunQueue(LoopRunner(replace(ctx, quiet=True)))
    create_mcp_server(ctx.settings, queue).run("stdio")
    return EXIT_CLEAN


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``; ``UsageError`` when it cannot be."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except (OSError, OverflowError) as exc:
        listener.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None
    listener.listen(2048)  # connections wait in the backlog while uvicorn starts
    return listener


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


class LoopRunner:
    """The queue's runner: opens the CLI's run resources (the model among them) once."""

    def __init__(self, ctx: CommandContext) -> None:
        self._ctx = ctx

    @contextmanager
    def open(self) -> Iterator[LoopEngine]:
        """Open the run database, the store, the sandbox and the model."""
        from orchestrator import resources

        with resources.open_run_resources(self._ctx) as (run_ctx, graph):
            yield LoopEngine(self._ctx, run_ctx, graph)


class LoopEngine:
    """Runs requests through the loop on the opened resources, one at a time."""

    def __init__(self, ctx: CommandContext, run_ctx: RunContext, graph: LoopGraph) -> None:
        from nodes.prompting import choose_template

        self._ctx = ctx
        self._run_ctx = run_ctx
        self._graph = graph
        self._template: ChatTemplate | None = choose_template(
            ctx.settings.model.use_chat_template,
            run_ctx.generator.chat_template(),
            run_ctx.model_file.name,
        )

    def check(self, request: RunRequest) -> None:
        """``PromptTooLongError`` when the first cycle's prompt (past episodes aside) and its
        tokens cannot fit the context; tokenizing reads only the vocabulary, so it may run
        beside a decoding run."""
        from decoding.errors import PromptTooLongError
        from nodes.prompting import prompt_for

        prompt = prompt_for(self._template, request.task, stub=request.stub)
        special = prompt.special_tokens
        tokens = self._run_ctx.generator.adapter.tokenize(
            prompt.text, add_bos=not special, special=special
        )
        limit, n_ctx = request.settings.decoding.max_tokens, request.settings.model.n_ctx
        if len(tokens) + limit > n_ctx:
            raise PromptTooLongError(len(tokens), limit, n_ctx)

    def run(self, request: RunRequest, events: RunEvents) -> RunOutcome:
        """One run of ``request`` with its own settings on the loaded model, reported to
        ``events``; ``RunCancelled`` (a ``KeyboardInterrupt``) when its client left."""
        from decoding.generator import Generator
        from orchestrator import resources
        from orchestrator.runner import execute_run
        from orchestrator.tasks import TaskSpec

        settings = request.settings
        base = self._run_ctx
        generator = Generator(base.generator.adapter, settings.model, settings.decoding)
        progress = event_progress(events, max_cycles=settings.cycles.max_cycles)
        run_ctx = resources.run_context(
            settings, base.model_file, generator, base.store, progress, base.sandbox
        )
        spec = TaskSpec(request.task, request.stub, suite=request.suite)
        ctx = replace(self._ctx, settings=settings)
        return outcome_of(execute_run(self._graph, run_ctx, ctx, spec, yes=True))

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        """The ``k`` episodes most relevant to ``query`` (vector and full text), best first."""
        store = self._run_ctx.store
        if store is None:
            return []
        return [
            {
                "id": hit.episode.id,
                "task": hit.episode.task,
                "outcome": hit.episode.outcome.value,
                "review_status": hit.episode.review_status.value,
                "score": hit.score,
                "final_code": hit.episode.final_code,
            }
            for hit in store.search(query, k)
        ]

    def store_writable(self) -> bool:
        """Whether a file can be created (and removed) in the store's folder now."""
        store = self._run_ctx.store
        if store is None:
            return False
        try:
            with tempfile.NamedTemporaryFile(dir=store.path, prefix=".health-"):
                return True
        except OSError:
            return False


def event_progress(events: RunEvents, *, max_cycles: int) -> ProgressView:
    """A progress view that sends the run's lines to its job instead of a terminal; a line is
    also where a cancelled run stops (``events.progress`` raises)."""
    from rich.console import Console

    from nodes.progress import ProgressView

    class EventProgress(ProgressView):
        def _line(self, cycle: int, text: str | Text) -> None:
            events.progress(f"cycle {cycle}/{self.max_cycles} {text}")

        def note(self, text: str) -> None:
            """A one-off line (the run's id, its interruption): never raises."""
            events.note(text)

    # not a terminal: every line goes through _line, none to a live status line
    return EventProgress(Console(file=io.StringIO(), force_terminal=False), max_cycles=max_cycles)


def outcome_of(report: RunReport) -> RunOutcome:
    """What a client gets of a finished run."""
    from serve.runner import RunOutcome

    returned = next((a for a in report.attempts if a["cycle"] == report.cycle), None)
    stats: dict[str, Any] = dict(returned["decoding_stats"]) if returned else {}
    return RunOutcome(
        run_id=report.run_id,
        episode_id=report.episode_id,
        status=report.status,
        code=report.code,
        clean=bool(returned["clean"]) if returned else False,
        findings=report.findings,
        checks=report.checks,
        passed=report.passed,
        completeness=report.completeness,
        cycles=report.cycles,
        stop_reason=str(returned["stop_reason"]) if returned else "none",
        seconds=report.seconds,
        prompt_tokens=int(stats.get("prompt_tokens", 0)),
        completion_tokens=int(stats.get("generated_tokens", 0)),
    )
