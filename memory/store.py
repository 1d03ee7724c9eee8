"""The episode store: one embedded LanceDB table, safe for several processes.

Every write is a single Lance commit (merge-insert on ``id`` or an update), so
a killed writer leaves every committed episode readable and concurrent
writers lose nothing. Readers check out the latest version on every query.
Search is hybrid: a vector query and the native full-text index on task and
final code, fused by reciprocal rank.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa

from config.errors import UserError
from config.settings import MemorySettings
from memory.embedding import Embedder
from memory.episode import Episode, Outcome, ReviewStatus
from memory.schema import (
    SCHEMA_VERSION,
    TABLE_NAME,
    TEXT_COLUMNS,
    VECTOR_COLUMN,
    IncompatibleStoreError,
    check_compatible,
    embedder_name,
    embedding_dim,
    episode_schema,
    episode_to_row,
    row_to_episode,
    schema_version,
    upgrade_rows,
)

if TYPE_CHECKING:  # lancedb takes ~1.5 s to import: only a command that opens a store pays it
    import lancedb
    from lancedb.query import LanceHybridQueryBuilder
    from lancedb.table import Table

logger = logging.getLogger(__name__)

# Compaction rewrites every fragment of a table this small, so it runs when the rows
# added since the last one reach a share of the table (amortised linear cost).
OPTIMIZE_MIN_NEW_ROWS = 256
OPTIMIZE_MAX_NEW_ROWS = 4096
OPTIMIZE_NEW_ROW_SHARE = 0.25
KEEP_OLD_VERSIONS = timedelta(hours=1)  # older table versions are pruned by optimize()
# Flat vector search costs ~1.5 ms per 1,000 episodes at 640 dimensions here; past this
# many rows optimize() builds an IVF-flat index. Measured at 30,000 episodes: IVF-flat
# recall@5 0.996 vs flat, p95 19 ms (flat 47 ms); IVF-PQ recall@5 0.43 (0.96 with
# refine), so PQ's smaller index is not worth its recall at this scale.
VECTOR_INDEX_MIN_ROWS = 20_000
VECTOR_INDEX_REBUILD_GROWTH = 4
_VECTOR_INDEX_PREFIX = "vector_ivf_flat_"
_RECORD_COLUMNS = [n for n in episode_schema(1, "").names if n != VECTOR_COLUMN]


class StorePathError(UserError):
    """The episode store's directory cannot be created or written."""


class UnknownEpisodeError(UserError):
    """No episode has the id the user gave."""


@dataclass(frozen=True)
class SearchHit:
    """One search result: the episode and its fused relevance (higher is better)."""

    episode: Episode
    score: float


class EpisodeStore:
    """Episodes of past runs in a LanceDB table at a directory of their own."""

    def __init__(self, path: Path, db: lancedb.DBConnection, embedder: Embedder) -> None:
        self.path = path
        self._db = db
        self._embedder = embedder
        self._table_handle: Table | None = None
        self._embedder_checked = False

    @classmethod
    def open(cls, path: Path, embedder: Embedder) -> EpisodeStore:
        """Open (creating the directory if needed) the store at ``path``.

        Raises ``StorePathError`` for an unusable path and
        ``IncompatibleStoreError`` for a table of another schema version.
        """
        path = Path(path).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorePathError(
                f"cannot create the episode store at {path} ({exc.strerror or exc}): "
                "set memory.path to a writable directory"
            ) from None
        if not os.access(path, os.W_OK | os.X_OK):
            raise StorePathError(
                f"the episode store at {path} is not writable: "
                "fix its permissions or set memory.path to a writable directory"
            )
        import lancedb

        db = lancedb.connect(str(path), read_consistency_interval=timedelta(0))
        store = cls(path, db, embedder)
        store._open_table()
        return store

    def schema(self) -> pa.Schema | None:
        """The episode table's schema (with the embedder metadata), None before the first add."""
        table = self._open_table()
        return table.schema if table is not None else None

    def indexes(self) -> dict[str, str]:
        """The table's indexes, name -> type (e.g. ``{"task_idx": "FTS"}``)."""
        table = self._open_table()
        if table is None:
            return {}
        return {index.name: index.index_type for index in table.list_indices()}

    def add(self, episode: Episode) -> bool:
        """Store ``episode``, once per id; True when it was stored or replaced.

        A stored episode is kept as it is, unless its outcome is "interrupted":
        then the resumed run's episode replaces it.
        """
        return self.add_many([episode]) == 1

    def add_many(self, episodes: Sequence[Episode]) -> int:
        """Store several episodes in one commit, as :meth:`add` does; returns how many."""
        unique = list({e.id: e for e in episodes}.values())
        if not unique:
            return 0
        table = self._writable_table()
        vectors = self._embedder.embed([embedding_text(e) for e in unique])
        rows = [episode_to_row(e, v) for e, v in zip(unique, vectors, strict=True)]
        data = pa.Table.from_pylist(rows, schema=table.schema)
        result = (
            table.merge_insert("id")
            .when_matched_update_all(where=f"target.outcome = {_sql(Outcome.INTERRUPTED.value)}")
            .when_not_matched_insert_all()
            .execute(data)
        )
        self._maybe_optimize(table)
        return int(result.num_inserted_rows) + int(result.num_updated_rows)

    def get(self, episode_id: str) -> Episode | None:
        """The episode with ``episode_id``, or None."""
        table = self._open_table()
        if table is None:
            return None
        rows = (
            table.search()
            .where(f"id = {_sql(episode_id)}")
            .select(_RECORD_COLUMNS)
            .limit(1)
            .to_arrow()
            .to_pylist()
        )
        return row_to_episode(rows[0]) if rows else None

    def delete(self, episode_id: str) -> bool:
        """Remove the episode with ``episode_id``; whether there was one."""
        table = self._open_table()
        if table is None or self.get(episode_id) is None:
            return False
        table.delete(f"id = {_sql(episode_id)}")
        return True

    def count(self, *, status: ReviewStatus | None = None, outcome: Outcome | None = None) -> int:
        """How many episodes match the filters."""
        table = self._open_table()
        if table is None:
            return 0
        return table.count_rows(_where(status=status, outcome=outcome) or None)

    def search(
        self,
        text: str,
        k: int = 5,
        *,
        status: ReviewStatus | None = None,
        outcome: Outcome | None = None,
    ) -> builtins.list[SearchHit]:
        """The ``k`` episodes most relevant to ``text`` (vector + full text), best first;
        blank text matches nothing."""
        return self._search(text, k, _where(status=status, outcome=outcome))

    def retrieve_examples(
        self, task: str, k: int, *, include_clean: bool = False, min_similarity: float = -1.0
    ) -> builtins.list[Episode]:
        """Up to ``k`` approved past episodes like ``task`` to show the model, leaving out
        those whose cosine similarity to ``task`` is below ``min_similarity``; with
        ``include_clean``, clean unrejected ones when no approved episode is left.
        ``k=0`` gives none."""
        table = self._open_table()
        if table is None or k <= 0 or not task.strip():
            return []
        self._check_embedder(table)
        query = self._embedder.embed([task])[0]
        pools = [_where(status=ReviewStatus.APPROVED)]
        if include_clean:
            pools.append(f"{_where(outcome=Outcome.CLEAN)} AND review_status != 'rejected'")
        for where in pools:
            rows = self._hybrid_rows(table, task, query, k, where)
            similar = [
                row_to_episode(row)
                for row in rows
                if min_similarity <= -1.0
                or float(np.dot(np.asarray(row[VECTOR_COLUMN], np.float32), query))
                >= min_similarity
            ]
            if similar:
                return similar
        return []

    def set_review(self, episode_id: str, status: ReviewStatus, note: str = "") -> Episode:
        """Record a reviewer's decision and return the updated episode."""
        table = self._open_table()
        where = f"id = {_sql(episode_id)}"
        if table is None or table.count_rows(where) == 0:
            raise UnknownEpisodeError(
                f"no episode has id {episode_id!r}: list them with `episodes list`"
            )
        reviewed_at = None if status is ReviewStatus.PENDING else datetime.now(UTC)
        table.update(
            where=where,
            values={
                "review_status": status.value,
                "reviewer_note": note,
                "reviewed_at": reviewed_at,
            },
        )
        episode = self.get(episode_id)
        if episode is None:
            raise UnknownEpisodeError(f"episode {episode_id!r} disappeared while being reviewed")
        return episode

    def optimize(self, keep_versions: timedelta = KEEP_OLD_VERSIONS) -> None:
        """Compact fragments, bring new rows into the indexes and prune table versions
        older than ``keep_versions`` (best effort: a concurrent commit defers it)."""
        table = self._open_table()
        if table is None:
            return
        try:
            table.optimize(cleanup_older_than=keep_versions)
            self._ensure_vector_index(table)
        except RuntimeError as exc:  # a concurrent commit won; the next call retries
            logger.info("episode store optimisation deferred: %s", exc)

    @staticmethod
    def _ensure_vector_index(table: Table) -> None:
        """Build the IVF-flat vector index once the table needs one, and rebuild it when
        the table has grown ``VECTOR_INDEX_REBUILD_GROWTH`` times since (its partitions
        were sized for the rows at build time, which the index name records)."""
        rows = table.count_rows()
        current = next(
            (i for i in table.list_indices() if VECTOR_COLUMN in i.columns and i.name), None
        )
        if current is None and rows < VECTOR_INDEX_MIN_ROWS:
            return
        if current is not None:
            built_for = current.name.removeprefix(_VECTOR_INDEX_PREFIX)
            if not built_for.isdigit() or rows < int(built_for) * VECTOR_INDEX_REBUILD_GROWTH:
                return
            table.drop_index(current.name)
        from lancedb.index import IvfFlat

        logger.info("building the vector index over %d episodes", rows)
        config = IvfFlat(distance_type="cosine", num_partitions=max(16, int(math.sqrt(rows))))
        table.create_index(VECTOR_COLUMN, config=config, name=f"{_VECTOR_INDEX_PREFIX}{rows}")

    def reembed(self) -> int:
        """Recompute every vector with the current embedder; returns the episode count.

        Rewrites the table in one commit; run it while no other process writes.
        """
        table = self._open_table()
        if table is None:
            return 0
        records = table.to_arrow().drop_columns([VECTOR_COLUMN])
        texts = [
            _text(task, stub)
            for task, stub in zip(
                records.column("task").to_pylist(), records.column("stub").to_pylist(), strict=True
            )
        ]
        schema = episode_schema(self._embedder.dim, self._embedder.name)
        vectors = self._embedder.embed(texts)
        data = records.append_column(
            VECTOR_COLUMN,
            pa.FixedSizeListArray.from_arrays(vectors.reshape(-1), self._embedder.dim),
        ).cast(schema)
        self._table_handle = self._db.create_table(
            TABLE_NAME, data, schema=schema, mode="overwrite"
        )
        self._create_indexes(self._table_handle)
        self._embedder_checked = False
        return records.num_rows

    def list(
        self,
        *,
        status: ReviewStatus | None = None,
        outcome: Outcome | None = None,
        limit: int | None = None,
    ) -> builtins.list[Episode]:
        """Episodes matching the filters, newest first, at most ``limit`` of them."""
        table = self._open_table()
        if table is None:
            return []
        query = table.search().select(["id", "created_at"])
        where = _where(status=status, outcome=outcome)
        if where:
            query = query.where(where)
        keys = query.limit(None).to_arrow()
        newest_first = keys.sort_by([("created_at", "descending"), ("id", "ascending")])
        ids = newest_first.column("id").to_pylist()[:limit]
        return self._fetch(table, ids)

    def _fetch(self, table: Table, ids: Sequence[str]) -> builtins.list[Episode]:
        """The episodes with ``ids``, in that order."""
        found: dict[str, Episode] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            in_list = ", ".join(_sql(i) for i in chunk)
            rows = (
                table.search()
                .where(f"id IN ({in_list})")
                .select(_RECORD_COLUMNS)
                .limit(None)
                .to_arrow()
                .to_pylist()
            )
            found.update((row["id"], row_to_episode(row)) for row in rows)
        return [found[i] for i in ids if i in found]

    def _search(self, text: str, k: int, where: str) -> builtins.list[SearchHit]:
        table = self._open_table()
        if table is None or k <= 0 or not text.strip():
            return []
        self._check_embedder(table)
        rows = self._hybrid_rows(table, text, self._embedder.embed([text])[0], k, where)
        return [SearchHit(row_to_episode(row), float(row["_relevance_score"])) for row in rows]

    @staticmethod
    def _hybrid_rows(
        table: Table, text: str, vector: np.ndarray, k: int, where: str
    ) -> builtins.list[dict[str, Any]]:
        """The ``k`` rows (stored vector included) best fused by reciprocal rank of a
        vector query for ``vector`` and a full-text query for ``text``."""
        from lancedb.rerankers import RRFReranker

        hybrid = table.search(query_type="hybrid", fts_columns=list(TEXT_COLUMNS))
        query = (
            cast("LanceHybridQueryBuilder", hybrid)
            .vector(vector)
            .text(text)
            .distance_type("cosine")
            .rerank(RRFReranker())
        )
        if where:
            query = query.where(where, prefilter=True)
        return query.limit(k).to_arrow().to_pylist()  # a select() here makes lance warn

    def _open_table(self) -> Table | None:
        """The episode table, or None while no episode has been written."""
        if self._table_handle is None:
            try:
                table = self._db.open_table(TABLE_NAME)
            except ValueError:  # not created yet
                return None
            table = self._upgraded(table)
            check_compatible(table.schema, self.path)
            self._table_handle = table
        return self._table_handle

    def _upgraded(self, table: Table) -> Table:
        """``table`` rewritten in this version's schema, when it is of an older one that can be
        (one commit: run it while no other process writes); otherwise as it is."""
        version = schema_version(table.schema)
        if version == SCHEMA_VERSION:
            return table
        rows = upgrade_rows(table.to_arrow().to_pylist(), version)
        if rows is None:
            return table
        schema = episode_schema(embedding_dim(table.schema), embedder_name(table.schema))
        upgraded = self._db.create_table(
            TABLE_NAME, pa.Table.from_pylist(rows, schema=schema), schema=schema, mode="overwrite"
        )
        self._create_indexes(upgraded)
        return upgraded

    def _writable_table(self) -> Table:
        """The episode table, created (with its indexes) on first write."""
        table = self._open_table()
        if table is None:
            schema = episode_schema(self._embedder.dim, self._embedder.name)
            try:
                table = self._db.create_table(TABLE_NAME, schema=schema, exist_ok=True)
            except ValueError:  # another process created it with another embedder
                table = self._db.open_table(TABLE_NAME)
            check_compatible(table.schema, self.path)
            self._create_indexes(table)
            self._table_handle = table
        self._check_embedder(table)
        return table

    def _check_embedder(self, table: Table) -> None:
        if self._embedder_checked:
            return
        stored_name, stored_dim = embedder_name(table.schema), embedding_dim(table.schema)
        if stored_name != self._embedder.name or stored_dim != self._embedder.dim:
            raise IncompatibleStoreError(
                f"the episode store at {self.path} holds vectors of {stored_name} "
                f"(dim {stored_dim}), not of the configured {self._embedder.name}: "
                "run `episodes reembed` or set memory.embedder back"
            )
        self._embedder_checked = True

    @staticmethod
    def _create_indexes(table: Table) -> None:
        """Full-text indexes on task and code, a B-tree on id; a racing creator may win."""
        from lancedb.index import FTS, BTree

        existing = {tuple(index.columns) for index in table.list_indices()}
        wanted: Iterable[tuple[str, Any]] = [(c, FTS()) for c in TEXT_COLUMNS] + [("id", BTree())]
        for column, config in wanted:
            if (column,) in existing:
                continue
            try:
                table.create_index(column, config=config)
            except RuntimeError as exc:
                logger.info("index on %s left to a concurrent writer: %s", column, exc)

    def _maybe_optimize(self, table: Table) -> None:
        try:
            stats = table.index_stats(f"{TEXT_COLUMNS[0]}_idx")
        except RuntimeError:
            return
        if stats is None:
            return
        share = int(stats.num_indexed_rows * OPTIMIZE_NEW_ROW_SHARE)
        threshold = min(max(OPTIMIZE_MIN_NEW_ROWS, share), OPTIMIZE_MAX_NEW_ROWS)
        if stats.num_unindexed_rows >= threshold:
            self.optimize()


def store_path(memory: MemorySettings, data_dir: Path) -> Path:
    """Where the store lives: ``memory.path``, or ``<data dir>/memory`` for "default"."""
    return data_dir / "memory" if memory.path == "default" else Path(memory.path).expanduser()


def has_episode_table(path: Path) -> bool:
    """Whether the store at ``path`` has its episode table yet (LanceDB keeps a table in a
    folder ``<name>.lance``); read from disk, so it needs no LanceDB."""
    return (Path(path).expanduser() / f"{TABLE_NAME}.lance").is_dir()


def embedding_text(episode: Episode) -> str:
    """The text whose embedding represents ``episode``: its task and stub."""
    return _text(episode.task, episode.stub)


def _text(task: str, stub: str | None) -> str:
    return f"{task}\n{stub}" if stub else task


def _where(*, status: ReviewStatus | None = None, outcome: Outcome | None = None) -> str:
    clauses = []
    if status is not None:
        clauses.append(f"review_status = {_sql(ReviewStatus(status).value)}")
    if outcome is not None:
        clauses.append(f"outcome = {_sql(Outcome(outcome).value)}")
    return " AND ".join(clauses)


def _sql(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"
