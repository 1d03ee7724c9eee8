"""Durable runs: the SQLite checkpointer, run ids, and the list of runs.

Checkpoints are deserialised in strict mode: only LangGraph's built-in safe
types, never arbitrary classes (the run state is plain data). Listing runs
reads their latest checkpoints and needs neither the graph nor the model.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from config.errors import UserError

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
    status: str  # the run's status; "resumable" while it has not ended
    cycles: int


def list_runs(saver: BaseCheckpointSaver) -> list[RunSummary]:
    """Every run in the database, newest first, with its latest state."""
    latest: dict[str, dict[str, Any]] = {}
    for item in saver.list(None):
        thread_id = str(item.config.get("configurable", {}).get("thread_id", ""))
        if thread_id not in latest:
            latest[thread_id] = item.checkpoint["channel_values"]
    summaries = []
    for thread_id, values in latest.items():
        status = str(values.get("status", "running"))
        summaries.append(
            RunSummary(
                run_id=thread_id,
                task=str(values.get("task", "")),
                status="resumable" if status == "running" else status,
                cycles=len(values.get("attempts") or []),
            )
        )
    return sorted(summaries, key=lambda r: r.run_id, reverse=True)


def delete_run(saver: BaseCheckpointSaver, run_id: str) -> bool:
    """Remove every checkpoint of run ``run_id``; whether the run existed."""
    if saver.get_tuple(run_config(run_id)) is None:
        return False
    saver.delete_thread(run_id)
    return True


def run_config(run_id: str, *, recursion_limit: int | None = None) -> RunnableConfig:
    """The LangGraph config that addresses run ``run_id``."""
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    if recursion_limit is not None:
        config["recursion_limit"] = recursion_limit
    return config
