"""KV checkpoints of single sequences: a memory pool with a byte budget that spills to disk.

A checkpoint is a position and the bytes of one sequence's KV cache at that
position (``llama_state_seq_get_data``); it never holds tokens. Restoring it
takes the caller's tokens as the authority on what the sequence contains.
Least-recently-used checkpoints spill to a private temporary directory when
the pool exceeds its budget and are read back on demand; the directory is
removed when the store closes, also on error.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol

log = logging.getLogger(__name__)


class SequenceStateIO(Protocol):
    """What the store needs from a model: one sequence's KV state as bytes, and back."""

    def seq_state(self, seq_id: int) -> bytearray:
        """The serialised KV cache of ``seq_id``."""
        ...

    def set_seq_state(self, seq_id: int, data: bytearray) -> None:
        """Replace the KV cache of ``seq_id`` with ``data``."""
        ...


@dataclass(frozen=True)
class Checkpoint:
    """A handle on stored KV bytes of a sequence holding ``position`` tokens."""

    checkpoint_id: int
    position: int
    nbytes: int


@dataclass(frozen=True)
class CheckpointStats:
    """Counters of a store: what it holds, where, and how often it restored."""

    count: int
    bytes_in_memory: int
    bytes_spilled: int
    saves: int
    bytes_saved: int  # over the store's life
    spills: int
    bytes_spilled_total: int  # over the store's life
    restores: int

    def to_dict(self) -> dict[str, int]:
        """JSON-ready counters."""
        return {
            "count": self.count,
            "bytes_in_memory": self.bytes_in_memory,
            "bytes_spilled": self.bytes_spilled,
            "saves": self.saves,
            "bytes_saved": self.bytes_saved,
            "spills": self.spills,
            "bytes_spilled_total": self.bytes_spilled_total,
            "restores": self.restores,
        }


class CheckpointStore:
    """Checkpoints of sequences in a byte-budgeted memory pool with LRU spill to disk."""

    def __init__(self, model: SequenceStateIO, *, budget_bytes: int) -> None:
        self._model = model
        self._budget = budget_bytes
        self._memory: OrderedDict[int, bytearray] = OrderedDict()
        self._memory_bytes = 0
        self._on_disk: dict[int, Path] = {}
        self._sizes: dict[int, int] = {}
        self._dir: Path | None = None
        self._next_id = 0
        self._saves = 0
        self._bytes_saved = 0
        self._spills = 0
        self._bytes_spilled_total = 0
        self._restores = 0

    def __enter__(self) -> CheckpointStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def save(self, seq_id: int, position: int) -> Checkpoint:
        """Store the KV state of ``seq_id``, which must hold exactly ``position`` tokens."""
        data = self._model.seq_state(seq_id)
        checkpoint = Checkpoint(self._next_id, position, len(data))
        self._next_id += 1
        self._memory[checkpoint.checkpoint_id] = data
        self._memory_bytes += len(data)
        self._sizes[checkpoint.checkpoint_id] = len(data)
        self._saves += 1
        self._bytes_saved += len(data)
        self._enforce_budget()
        return checkpoint

    def restore(self, checkpoint: Checkpoint, tokens: Sequence[int], seq_id: int) -> list[int]:
        """Load ``checkpoint`` into ``seq_id`` and return ``tokens`` (its first ``position`` tokens).

        ``tokens`` is authoritative: the caller passes the sequence's tokens up
        to the checkpoint's position, and a length mismatch is refused.
        """
        if len(tokens) != checkpoint.position:
            raise ValueError(
                f"checkpoint at position {checkpoint.position} restored with {len(tokens)} tokens"
            )
        self._model.set_seq_state(seq_id, self._load(checkpoint.checkpoint_id))
        self._restores += 1
        return list(tokens)

    def retain(self, keep: Iterable[Checkpoint]) -> None:
        """Drop every checkpoint not in ``keep`` (memory and disk)."""
        wanted = {checkpoint.checkpoint_id for checkpoint in keep}
        for checkpoint_id in [i for i in self._sizes if i not in wanted]:
            self._drop(checkpoint_id)

    @property
    def spill_dir(self) -> Path | None:
        """The private directory of spilled checkpoints (``None`` until the first spill)."""
        return self._dir

    def stats(self) -> CheckpointStats:
        """Current counters."""
        return CheckpointStats(
            count=len(self._sizes),
            bytes_in_memory=self._memory_bytes,
            bytes_spilled=sum(self._sizes[i] for i in self._on_disk),
            saves=self._saves,
            bytes_saved=self._bytes_saved,
            spills=self._spills,
            bytes_spilled_total=self._bytes_spilled_total,
            restores=self._restores,
        )

    def close(self) -> None:
        """Forget every checkpoint and remove the spill directory."""
        self._memory.clear()
        self._memory_bytes = 0
        self._on_disk.clear()
        self._sizes.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _load(self, checkpoint_id: int) -> bytearray:
        if checkpoint_id in self._memory:
            self._memory.move_to_end(checkpoint_id)
            return self._memory[checkpoint_id]
        path = self._on_disk.pop(checkpoint_id, None)
        if path is None:
            raise KeyError(f"checkpoint {checkpoint_id} is no longer stored")
        data = bytearray(path.read_bytes())
        path.unlink(missing_ok=True)
        self._memory[checkpoint_id] = data
        self._memory_bytes += len(data)
        self._enforce_budget(keep=checkpoint_id)
        return data

    def _enforce_budget(self, keep: int | None = None) -> None:
        for checkpoint_id in list(self._memory):
            if self._memory_bytes <= self._budget:
                break
            if checkpoint_id != keep:
                self._spill(checkpoint_id)

    def _spill(self, checkpoint_id: int) -> None:
        data = self._memory.pop(checkpoint_id)
        self._memory_bytes -= len(data)
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="supercoder-kv-"))
        path = self._dir / f"{checkpoint_id}.kv"
        path.write_bytes(data)
        self._on_disk[checkpoint_id] = path
        self._spills += 1
        self._bytes_spilled_total += len(data)
        log.debug("spilled checkpoint %d (%d bytes) to %s", checkpoint_id, len(data), path)

    def _drop(self, checkpoint_id: int) -> None:
        data = self._memory.pop(checkpoint_id, None)
        if data is not None:
            self._memory_bytes -= len(data)
        self._sizes.pop(checkpoint_id, None)
        path = self._on_disk.pop(checkpoint_id, None)
        if path is not None:
            path.unlink(missing_ok=True)
