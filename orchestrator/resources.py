"""Open and close what a run needs: the run database, the episode store, the sandbox, the model.

The cheap parts open first, so a bad data folder or a missing sandbox runtime
fails before the model loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from rich.console import Console

from config.errors import UsageError
from config.files import atomic_writer
from config.settings import Settings, VerifySettings
from decoding.generator import Generator
from decoding.model_file import ModelFile
from decoding.sabs import SABSConfig, SecurityController
from memory.embedding import make_embedder
from memory.episode import Outcome
from memory.store import EpisodeStore, store_path
from nodes.context import RunContext
from nodes.learn import build_episode
from nodes.progress import ProgressView
from nodes.review import Review, review
from orchestrator.command import CommandContext
from orchestrator.graph import LoopGraph, build_graph
from orchestrator.model_setup import resolve_with_progress
from orchestrator.runs import open_checkpointer, run_config
from verify.sandbox import Limits, Sandbox


def sandbox_limits(settings: VerifySettings) -> Limits:
    """The sandbox's limits from the ``verify`` settings."""
    return Limits(
        fuel=settings.fuel, memory_bytes=settings.memory_mb << 20, seconds=settings.seconds
    )


@contextmanager
def open_run_resources(ctx: CommandContext) -> Iterator[tuple[RunContext, LoopGraph]]:
    """Open the run database and the store, load the model; close all of them on exit."""
    settings = ctx.settings
    model_file = resolve_with_progress(settings.model.path, quiet=ctx.quiet or ctx.json_output)
    progress = ProgressView(
        Console(stderr=True, highlight=False, markup=False, soft_wrap=True),
        max_cycles=settings.cycles.max_cycles,
        quiet=ctx.quiet or ctx.json_output,
    )
    with open_checkpointer(ctx.data_dir) as saver, ExitStack() as stack:
        embedder = make_embedder(settings.memory.embedder)
        store = EpisodeStore.open(store_path(settings.memory, ctx.data_dir), embedder)
        sandbox = (
            stack.enter_context(Sandbox.open(sandbox_limits(settings.verify)))
            if settings.verify.enabled
            else None
        )
        with Generator.open(
            model_file, settings.model, settings.decoding, samples=settings.verify.samples
        ) as generator:
            run_ctx = run_context(settings, model_file, generator, store, progress, sandbox)
            yield run_ctx, build_graph(saver)


def run_context(
    settings: Settings,
    model_file: ModelFile,
    generator: Generator,
    store: EpisodeStore | None,
    progress: ProgressView,
    sandbox: Sandbox | None,
) -> RunContext:
    """The runtime context of runs on these resources: the SABS controller factory and the
    review turn come from the settings."""
    sabs_config = SABSConfig.from_settings(settings.sabs)

    def new_controller() -> SecurityController | None:
        return SecurityController(sabs_config) if settings.sabs.enabled else None

    def critic(task: str, code: str, findings: str) -> Review:
        return review(generator, task=task, code=code, findings=findings, settings=settings)

    return RunContext(
        settings=settings,
        model_file=model_file,
        generator=generator,
        store=store,
        progress=progress,
        new_controller=new_controller,
        critic=critic,
        sandbox=sandbox,
    )


def log_interrupted(graph: LoopGraph, run_ctx: RunContext, run_id: str) -> None:
    """Log an interrupted run's attempts so far as an "interrupted" episode (resuming replaces it)."""
    values = graph.get_state(run_config(run_id)).values
    if run_ctx.store is not None and values.get("attempts"):
        run_ctx.store.add(build_episode(values, run_ctx, Outcome.INTERRUPTED))  # type: ignore[arg-type]


def write_code(path: Path, code: str, *, force: bool) -> None:
    """Write ``code`` to ``path`` atomically; refuse to overwrite without ``force``."""
    if path.exists() and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    try:
        with atomic_writer(path) as handle:
            handle.write(code if code.endswith("\n") else code + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
