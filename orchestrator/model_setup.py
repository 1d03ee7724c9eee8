"""Resolve the configured model, with a progress bar while the default one is assembled.

``python -m orchestrator.model_setup`` assembles the embedded default model
(``make setup`` runs it) and prints where it is.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from config.errors import UserError
from decoding.embedded_model import QWEN_CODER_1_5B, AssemblyProgress
from decoding.model_file import ModelFile, resolve_model
from orchestrator.command import EXIT_ERROR, EXIT_INTERRUPTED


@contextmanager
def assembly_progress(*, quiet: bool) -> Iterator[AssemblyProgress]:
    """A progress callback that draws a bar on stderr from its first call (none if ``quiet``)."""
    progress: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal progress, task
        if quiet:
            return
        if progress is None:
            progress = Progress(
                TextColumn(f"assembling {QWEN_CODER_1_5B.name}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            progress.start()
            task = progress.add_task("assemble", total=total)
        if task is not None:
            progress.update(task, completed=done)

    try:
        yield update
    finally:
        if progress is not None:
            progress.stop()


def resolve_with_progress(spec: str, *, quiet: bool = False) -> ModelFile:
    """``resolve_model(spec)``, drawing a bar if the default model must be assembled first."""
    with assembly_progress(quiet=quiet) as on_progress:
        return resolve_model(spec, on_progress=on_progress)


def main() -> int:
    """Assemble the default model if needed; print its path, or one error line."""
    try:
        model_file = resolve_with_progress("default")
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted: no model file was left behind", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"default model ready: {QWEN_CODER_1_5B.name} at {model_file.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
