"""``resume`` continues with the settings a run started with; only a few flags may change them."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.graph import START
from rich.console import Console

from config.loader import load_settings
from config.settings import Settings
from nodes.state import initial_state
from orchestrator.cli import _overrides, build_parser
from orchestrator.command import CommandContext
from orchestrator.graph import build_graph
from orchestrator.run_command import resumed_settings
from orchestrator.runs import RunStoreError, open_checkpointer, run_config

STARTED = {
    "decoding.max_tokens": 24,
    "decoding.beam_width": 2,
    "decoding.entropy_threshold": 1.5,
    "sabs.enabled": False,
    "cycles.max_cycles": 2,
    "model.n_ctx": 2048,
    "memory.embedder": "hash",
}


def started_run(data: Path, settings: dict[str, object]) -> dict[str, object]:
    """The stored state of a run killed before its first cycle: what ``resume`` reads."""
    with open_checkpointer(data) as saver:
        graph = build_graph(saver)
        state = initial_state("r1", "task", None, 2, settings=settings)
        graph.update_state(run_config("r1"), state, as_node=START)
        return dict(graph.get_state(run_config("r1")).values)


def resume_as(argv: list[str], values: dict[str, object], data: Path) -> Settings:
    """The settings ``main.py resume ...`` would run with, today's configuration being the defaults."""
    args = build_parser().parse_args(argv)
    ctx = CommandContext(
        settings=load_settings(environ={}, overrides=_overrides(args)),
        console=Console(quiet=True),
        json_output=False,
        quiet=True,
        data_dir=data,
    )
    return resumed_settings(values, ctx, args)


def test_resume_uses_every_setting_the_run_started_with(tmp_path: Path) -> None:
    started = load_settings(environ={}, overrides=STARTED)
    values = started_run(tmp_path, started.model_dump(mode="json"))
    assert resume_as(["resume", "r1"], values, tmp_path) == started


def test_resume_flags_change_only_what_they_name(tmp_path: Path) -> None:
    started = load_settings(environ={}, overrides=STARTED)
    values = started_run(tmp_path, started.model_dump(mode="json"))
    argv = ["resume", "r1", "--max-tokens", "32", "--n-ctx", "4096", "--n-gpu-layers", "-1"]
    resumed = resume_as(argv, values, tmp_path)
    assert (resumed.decoding.max_tokens, resumed.model.n_ctx, resumed.model.n_gpu_layers) == (
        32,
        4096,
        -1,
    )
    expected = started.model_copy(
        update={
            "decoding": started.decoding.model_copy(update={"max_tokens": 32}),
            "model": started.model.model_copy(update={"n_ctx": 4096, "n_gpu_layers": -1}),
        }
    )
    assert resumed == expected


def test_resume_of_settings_this_version_cannot_read_is_a_user_error(tmp_path: Path) -> None:
    values = started_run(tmp_path, {"decoding": {"no_such_setting": 1}})
    with pytest.raises(RunStoreError, match="cannot read"):
        resume_as(["resume", "r1"], values, tmp_path)
