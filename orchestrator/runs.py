"""Durable runs: the SQLite checkpointer, run ids, and the list of runs.

Checkpoints are deserialised in strict mode: only LangGraph's built-in safe
types, never arbitrary classes (the run state is plain data).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from config.errors import UserError

if TYPE_CHECKING:
    from orchestrator.graph import LoopGraph

RUNS_FILE = "runs.sqlite"


class RunStoreError(UserError):
    """The run database cannot be opened or the run does not exist."""


def new_run_id() -> str:
    """A unique, sortable run id such as ``20261122-043012-9f3a1c``."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


@contextmanager
def open_checkpointer(data_dir: Path) -> Iterator[SqliteSaver]:
    """The run database under ``data_dir``, opened with a strict deserialiser."""
    path = data_dir / RUNS_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
    except (OSError, sqlite3.Error) as exc:
        raise RunStoreError(
            f"cannot open the run database {path}: {exc}; set SUPERCODER_DATA_DIR to a writable directory"
        ) from None
    try:
        yield SqliteSaver(conn, serde=JsonPlusSerializer(allowed_msgpack_modules=None))
    finally:
        conn.close()


@dataclass(frozen=True)
class RunSummary:
    """One line of ``main.py runs``."""

    run_id: str
    task: str
    status: str
    cycles: int
    next_node: str  # "" when the run has finished


def list_runs(saver: SqliteSaver, graph: LoopGraph) -> list[RunSummary]:
    """Every run in the database, newest first, with its latest state."""
    thread_ids: list[str] = []
    for item in saver.list(None):
        thread_id = str(item.config.get("configurable", {}).get("thread_id", ""))
        if thread_id not in thread_ids:
            thread_ids.append(thread_id)
    summaries = []
    for thread_id in thread_ids:
        snapshot = graph.get_state(run_config(thread_id))
        values = snapshot.values
        status = str(values.get("status", "running"))
        if snapshot.next and status == "running":
            status = "paused" if snapshot.interrupts else "resumable"
        summaries.append(
            RunSummary(
                run_id=thread_id,
                task=str(values.get("task", "")),
                status=status,
                cycles=len(values.get("attempts") or []),
                next_node=",".join(snapshot.next),
            )
        )
    return sorted(summaries, key=lambda r: r.run_id, reverse=True)


def run_config(run_id: str, *, recursion_limit: int | None = None) -> RunnableConfig:
    """The LangGraph config that addresses run ``run_id``."""
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    if recursion_limit is not None:
        config["recursion_limit"] = recursion_limit
    return config
