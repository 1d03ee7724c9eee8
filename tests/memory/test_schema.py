"""The Arrow schema: episodes survive a real LanceDB table; foreign tables are refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
import pytest

from memory.schema import (
    ATTEMPT_TYPE,
    TABLE_NAME,
    IncompatibleStoreError,
    check_compatible,
    embedder_name,
    embedding_dim,
    episode_schema,
    episode_to_row,
    row_to_episode,
)
from tests.memory.factories import two_cycle_episode


def test_episode_round_trips_through_a_lancedb_table(tmp_path: Path) -> None:
    episode = two_cycle_episode("run-1", stub="def evaluate(expr: str) -> int:\n")
    schema = episode_schema(4, "test")
    db = lancedb.connect(str(tmp_path), read_consistency_interval=timedelta(0))
    table = db.create_table(TABLE_NAME, schema=schema)
    row = episode_to_row(episode, np.array([1, 0, 0, 0], dtype=np.float32))
    table.add(pa.Table.from_pylist([row], schema=schema))
    stored = db.open_table(TABLE_NAME).to_arrow().to_pylist()
    assert [row_to_episode(r) for r in stored] == [episode]


def test_schema_records_embedder_and_dimension() -> None:
    schema = episode_schema(640, "gguf:model.gguf:abc")
    assert (embedder_name(schema), embedding_dim(schema)) == ("gguf:model.gguf:abc", 640)


def test_the_current_schema_is_compatible(tmp_path: Path) -> None:
    check_compatible(episode_schema(8, "hash-v1"), tmp_path)


def test_a_foreign_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    foreign = pa.schema([pa.field("id", pa.string()), pa.field("text", pa.string())])
    with pytest.raises(IncompatibleStoreError, match="move it aside"):
        check_compatible(foreign, tmp_path)


def test_a_newer_schema_version_is_refused(tmp_path: Path) -> None:
    schema = episode_schema(8, "hash-v1")
    newer = schema.with_metadata({**(schema.metadata or {}), b"supercoder.schema_version": b"99"})
    with pytest.raises(IncompatibleStoreError, match="schema version 99"):
        check_compatible(newer, tmp_path)


def test_the_attempt_struct_derived_from_the_dataclass_is_the_one_on_disk() -> None:
    finding = pa.struct(
        [
            pa.field("line", pa.int32()),
            pa.field("col", pa.int32()),
            pa.field("tool", pa.string()),
            pa.field("rule", pa.string()),
            pa.field("severity", pa.string()),
            pa.field("message", pa.string()),
        ]
    )
    on_disk = pa.struct(
        [
            pa.field("cycle", pa.int32()),
            pa.field("code", pa.string()),
            pa.field("findings", pa.list_(finding)),
            pa.field("completeness", pa.float64()),
            pa.field("decoding_stats", pa.string()),
            pa.field("sabs_stats", pa.string()),
            pa.field("feedback", pa.string()),
            pa.field("verification", pa.string()),
        ]
    )
    assert ATTEMPT_TYPE.equals(on_disk)
