"""``runs delete`` and ``episodes delete``: a bad record never blocks a data folder."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from langgraph.graph import START

from memory.embedding import make_embedder
from memory.store import EpisodeStore
from nodes.state import initial_state
from orchestrator.graph import build_graph
from orchestrator.runs import open_checkpointer, run_config
from tests.memory.factories import make_episode
from tests.orchestrator.commands import HASH_CONFIG, MARKUP_TASK, main_py, one_error_line


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``main.py ARGS`` on the data folder ``data``, episodes on the hash embedder."""
    config = data.parent / "hash.yaml"
    config.write_text(HASH_CONFIG, encoding="utf-8")
    return main_py("--config", str(config), *args, data=data, timeout=120)


def add_run(data: Path, run_id: str, task: str = MARKUP_TASK) -> None:
    """A run killed before its first cycle, as the run database holds it."""
    with open_checkpointer(data) as saver:
        graph = build_graph(saver)
        graph.update_state(
            run_config(run_id), initial_state(run_id, task, None, 2, settings={}), as_node=START
        )


def run_ids(data: Path) -> list[str]:
    listing = cli(data, "runs", "--json")
    assert listing.returncode == 0, listing.stderr
    return [r["run_id"] for r in json.loads(listing.stdout)]


def store(data: Path) -> EpisodeStore:
    return EpisodeStore.open(data / "memory", make_embedder("hash"))


def test_runs_delete_removes_that_run_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    add_run(data, "r1")
    add_run(data, "r2")
    result = cli(data, "runs", "delete", "r1", "--yes")
    assert result.returncode == 0, result.stderr
    assert "deleted run r1" in result.stdout
    assert run_ids(data) == ["r2"]


def test_runs_delete_of_an_unknown_run_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    add_run(data, "r1")
    assert "no run with id 'nope'" in one_error_line(cli(data, "runs", "delete", "nope", "--yes"))
    assert run_ids(data) == ["r1"]


def test_runs_delete_without_a_terminal_needs_yes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    add_run(data, "r1")
    assert "pass --yes" in one_error_line(cli(data, "runs", "delete", "r1"))
    assert run_ids(data) == ["r1"]


def test_episodes_delete_removes_that_episode_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data).add_many([make_episode("e1", task=MARKUP_TASK), make_episode("e2")])
    result = cli(data, "episodes", "delete", "e1", "--yes")
    assert result.returncode == 0, result.stderr
    assert "deleted episode e1" in result.stdout
    remaining = store(data)
    assert (remaining.get("e1"), remaining.count()) == (None, 1)
    assert remaining.get("e2") is not None


def test_episodes_delete_of_an_unknown_episode_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data).add(make_episode("e1"))
    assert "no episode has id" in one_error_line(cli(data, "episodes", "delete", "nope", "--yes"))
    assert store(data).count() == 1


def test_episodes_delete_without_a_terminal_needs_yes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data).add(make_episode("e1"))
    assert "pass --yes" in one_error_line(cli(data, "episodes", "delete", "e1"))
    assert store(data).count() == 1
