"""The runtime context every node receives through ``Runtime[RunContext]``.

It carries what must not be checkpointed: the settings, the loaded model,
the episode store, the progress view, the SABS controller factory and the
verification sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from config.settings import Settings
from decoding.model_file import ModelFile
from nodes.progress import ProgressView

if TYPE_CHECKING:
    from decoding.generator import Generator
    from decoding.sabs import SecurityController
    from memory.store import EpisodeStore
    from nodes.review import Review
    from verify.sandbox import Sandbox


@dataclass(frozen=True)
class RunContext:
    """Configuration and live resources shared by the nodes of one run."""

    settings: Settings
    model_file: ModelFile
    generator: Generator
    store: EpisodeStore | None  # None: episodes are not logged (tests of single nodes)
    progress: ProgressView
    new_controller: Callable[
        [], SecurityController | None
    ]  # a fresh SABS controller per generation
    critic: Callable[[str, str, str], Review]  # (task, code, findings) -> the model's review
    sandbox: Sandbox | None = None  # None: nothing is run (verify.enabled is off)
