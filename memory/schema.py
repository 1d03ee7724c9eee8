"""The episode table's Arrow schema and the row <-> :class:`Episode` mapping.

Attempts are stored as a native ``list<struct>`` column, findings inside them
as ``list<struct>`` with ``tool`` and ``severity`` as plain strings: Lance
stores nested Arrow columns natively (merge-insert and update keep them), so
findings stay typed and queryable without parsing. Only the decoding and SABS
stats are JSON strings, because their keys change with the decoder. The
vector is a fixed-size float32 list whose size is the embedder's dimension.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from analysis.findings import Finding, Severity
from config.errors import UserError
from memory.episode import Attempt, Episode, Outcome, ReviewStatus

SCHEMA_VERSION = "2"  # 2: attempts carry their verification
TABLE_NAME = "episodes"
VECTOR_COLUMN = "vector"
TEXT_COLUMNS = ("task", "final_code")  # full-text indexed

META_SCHEMA_VERSION = b"supercoder.schema_version"
META_EMBEDDER = b"supercoder.embedder"
META_DIM = b"supercoder.embedding_dim"

_TIMESTAMP = pa.timestamp("us", tz="UTC")

#: Arrow type of each field type of ``Finding`` and ``Attempt``: the one definition of
#: both records is their dataclass; these structs follow it field by field, in order.
#: A severity is stored by name; a statistics dict as a JSON object.
_ARROW_OF: dict[str, pa.DataType] = {
    "int": pa.int32(),
    "str": pa.string(),
    "float": pa.float64(),
    "Severity": pa.string(),
    "dict[str, Any]": pa.string(),  # JSON object
}


def _struct_of(record: type, **special: pa.DataType) -> pa.StructType:
    """The Arrow struct of a dataclass: one field per dataclass field, in order."""
    return pa.struct(
        [
            pa.field(f.name, special.get(f.name) or _ARROW_OF[str(f.type)])
            for f in dataclasses.fields(record)
        ]
    )


FINDING_TYPE = _struct_of(Finding)
ATTEMPT_TYPE = _struct_of(Attempt, findings=pa.list_(FINDING_TYPE))
_JSON_FIELDS = tuple(
    f.name for f in dataclasses.fields(Attempt) if str(f.type) == "dict[str, Any]"
)


class IncompatibleStoreError(UserError):
    """The episode table on disk was written by an incompatible version or embedder."""


def episode_schema(dim: int, embedder_name: str) -> pa.Schema:
    """The table schema for vectors of ``dim`` floats made by ``embedder_name``."""
    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("created_at", _TIMESTAMP, nullable=False),
        pa.field("task", pa.string(), nullable=False),
        pa.field("prompt", pa.string(), nullable=False),
        pa.field("stub", pa.string()),
        pa.field("final_code", pa.string(), nullable=False),
        pa.field("attempts", pa.list_(ATTEMPT_TYPE), nullable=False),
        pa.field("outcome", pa.string(), nullable=False),
        pa.field("model_name", pa.string(), nullable=False),
        pa.field("model_sha256", pa.string(), nullable=False),
        pa.field("config_hash", pa.string(), nullable=False),
        pa.field("review_status", pa.string(), nullable=False),
        pa.field("reviewer_note", pa.string(), nullable=False),
        pa.field("reviewed_at", _TIMESTAMP),
        pa.field(VECTOR_COLUMN, pa.list_(pa.float32(), dim), nullable=False),
    ]
    metadata = {
        META_SCHEMA_VERSION: SCHEMA_VERSION.encode(),
        META_EMBEDDER: embedder_name.encode(),
        META_DIM: str(dim).encode(),
    }
    return pa.schema(fields, metadata=metadata)


def schema_version(schema: pa.Schema) -> str:
    """The schema version a table was written with ("?" when unknown)."""
    return (schema.metadata or {}).get(META_SCHEMA_VERSION, b"?").decode()


def upgrade_rows(rows: list[dict[str, Any]], version: str) -> list[dict[str, Any]] | None:
    """Rows of a table of schema ``version`` in this version's shape; None if there is no way.

    Version 1 had no verification in its attempts: they get an empty one.
    """
    if version != "1":
        return None
    for row in rows:
        for attempt in row["attempts"]:
            attempt["verification"] = "{}"
    return rows


def check_compatible(schema: pa.Schema, path: Path) -> None:
    """Raise ``IncompatibleStoreError`` unless ``schema`` is this version's episode schema."""
    version = schema_version(schema)
    expected = episode_schema(embedding_dim(schema), embedder_name(schema))
    if version != SCHEMA_VERSION or not schema.equals(expected, check_metadata=False):
        raise IncompatibleStoreError(
            f"the episode store at {path} has schema version {version}, this version "
            f"needs {SCHEMA_VERSION}: move it aside (mv {path} {path}.old) and run again"
        )


def embedder_name(schema: pa.Schema) -> str:
    """The embedder recorded in the table metadata ("" when absent)."""
    return (schema.metadata or {}).get(META_EMBEDDER, b"").decode()


def embedding_dim(schema: pa.Schema) -> int:
    """The vector dimension of the table (0 when it has no fixed-size vector)."""
    if VECTOR_COLUMN not in schema.names:
        return 0
    vector_type = schema.field(VECTOR_COLUMN).type
    return vector_type.list_size if isinstance(vector_type, pa.FixedSizeListType) else 0


def episode_to_row(episode: Episode, vector: np.ndarray) -> dict[str, Any]:
    """The table row for ``episode`` with its embedding."""
    return {
        "id": episode.id,
        "created_at": _utc(episode.created_at),
        "task": episode.task,
        "prompt": episode.prompt,
        "stub": episode.stub,
        "final_code": episode.final_code,
        "attempts": [_attempt_to_row(a) for a in episode.attempts],
        "outcome": episode.outcome.value,
        "model_name": episode.model_name,
        "model_sha256": episode.model_sha256,
        "config_hash": episode.config_hash,
        "review_status": episode.review_status.value,
        "reviewer_note": episode.reviewer_note,
        "reviewed_at": _utc(episode.reviewed_at) if episode.reviewed_at else None,
        VECTOR_COLUMN: np.asarray(vector, dtype=np.float32),
    }


def row_to_episode(row: dict[str, Any]) -> Episode:
    """Inverse of :func:`episode_to_row` (the vector, if present, is ignored)."""
    return Episode(
        id=row["id"],
        created_at=_utc(row["created_at"]),
        task=row["task"],
        prompt=row["prompt"],
        stub=row["stub"],
        final_code=row["final_code"],
        attempts=tuple(_row_to_attempt(a) for a in row["attempts"]),
        outcome=Outcome(row["outcome"]),
        model_name=row["model_name"],
        model_sha256=row["model_sha256"],
        config_hash=row["config_hash"],
        review_status=ReviewStatus(row["review_status"]),
        reviewer_note=row["reviewer_note"],
        reviewed_at=_utc(row["reviewed_at"]) if row["reviewed_at"] else None,
    )


def _attempt_to_row(attempt: Attempt) -> dict[str, Any]:
    row: dict[str, Any] = {f.name: getattr(attempt, f.name) for f in dataclasses.fields(Attempt)}
    row["findings"] = [f.to_dict() for f in attempt.findings]
    for name in _JSON_FIELDS:
        row[name] = json.dumps(row[name], sort_keys=True, default=str)
    return row


def _row_to_attempt(row: dict[str, Any]) -> Attempt:
    return Attempt(
        cycle=row["cycle"],
        code=row["code"],
        findings=tuple(
            Finding(
                line=f["line"],
                col=f["col"],
                tool=f["tool"],
                rule=f["rule"],
                severity=Severity.parse(f["severity"]),
                message=f["message"],
            )
            for f in row["findings"]
        ),
        completeness=row["completeness"],
        decoding_stats=json.loads(row["decoding_stats"]),
        sabs_stats=json.loads(row["sabs_stats"]),
        feedback=row["feedback"],
        verification=json.loads(row["verification"]),
    )


def _utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
