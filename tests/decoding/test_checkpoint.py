"""CheckpointStore: budget, LRU spill to disk, read-back, clean-up; and a real KV round trip."""

from __future__ import annotations

import numpy as np
import pytest

from decoding.checkpoint import CheckpointStore
from decoding.llama_adapter import LlamaAdapter
from decoding.sequence_model import StepInput


class MemoryStates:
    """Sequence states held as plain bytes (for the store's own bookkeeping tests)."""

    def __init__(self) -> None:
        self.states: dict[int, bytearray] = {}

    def seq_state(self, seq_id: int) -> bytearray:
        return bytearray(self.states[seq_id])

    def set_seq_state(self, seq_id: int, data: bytearray) -> None:
        self.states[seq_id] = bytearray(data)


def test_restore_loads_the_saved_bytes() -> None:
    states = MemoryStates()
    states.states[0] = bytearray(b"first")
    with CheckpointStore(states, budget_bytes=1 << 20) as store:
        checkpoint = store.save(0, 2)
        states.states[0] = bytearray(b"changed")
        store.restore(checkpoint, [7, 8], seq_id=3)
    assert states.states[3] == b"first"


def test_restore_refuses_tokens_of_the_wrong_length() -> None:
    states = MemoryStates()
    states.states[0] = bytearray(b"x")
    with CheckpointStore(states, budget_bytes=100) as store:
        checkpoint = store.save(0, 2)
        with pytest.raises(ValueError, match="position 2"):
            store.restore(checkpoint, [1, 2, 3], seq_id=0)


def test_over_budget_spills_least_recently_used_and_reads_back() -> None:
    states = MemoryStates()
    with CheckpointStore(states, budget_bytes=250) as store:
        saved = []
        for i in range(3):
            states.states[0] = bytearray(bytes([i]) * 100)
            saved.append(store.save(0, i))
        assert (store.stats().bytes_in_memory, store.stats().bytes_spilled) == (200, 100)
        store.restore(saved[0], [0] * 0, seq_id=1)
        stats = store.stats()
    assert states.states[1] == bytes([0]) * 100
    assert (stats.spills, stats.restores, stats.bytes_in_memory, stats.bytes_spilled) == (
        2,
        1,
        200,
        100,
    )


def test_spill_files_are_removed_on_close_also_after_an_error() -> None:
    states = MemoryStates()
    states.states[0] = bytearray(b"y" * 10)
    store = CheckpointStore(states, budget_bytes=1)
    spill_dir = None
    with pytest.raises(RuntimeError), store:
        store.save(0, 1)
        spill_dir = store.spill_dir
        raise RuntimeError("boom")
    assert spill_dir is not None
    assert not spill_dir.exists()


def test_retain_drops_the_others() -> None:
    states = MemoryStates()
    states.states[0] = bytearray(b"z" * 10)
    with CheckpointStore(states, budget_bytes=15) as store:
        keep, drop, spilled = store.save(0, 1), store.save(0, 1), store.save(0, 1)
        store.retain([keep, spilled])
        assert store.stats().count == 2
        with pytest.raises(KeyError):
            store.restore(drop, [0], seq_id=0)


def decode_steps(
    adapter: LlamaAdapter, seq_id: int, tokens: list[int], start: int
) -> list[np.ndarray]:
    """Feed tokens one step at a time; return a copy of the logits after each."""
    rows = []
    for i, token in enumerate(tokens):
        adapter.step([StepInput(seq_id, token, start + i)])
        rows.append(adapter.logits(seq_id).copy())
    return rows


@pytest.mark.model
@pytest.mark.parametrize("budget", [1 << 30, 1], ids=["in-memory", "spilled-to-disk"])
def test_kv_round_trip_reproduces_logits(adapter: LlamaAdapter, budget: int) -> None:
    prompt = adapter.tokenize("def fib(n):\n    ")
    first = adapter.tokenize("if n < 2:", add_bos=False)
    other = adapter.tokenize("return fib(n - 1) + 7", add_bos=False)
    adapter.decode_prompt(prompt)
    with CheckpointStore(adapter, budget_bytes=budget) as store:
        checkpoint = store.save(0, len(prompt))
        expected = decode_steps(adapter, 0, first, len(prompt))
        adapter.truncate(0, len(prompt))
        diverted = decode_steps(adapter, 0, other, len(prompt))
        store.restore(checkpoint, prompt, seq_id=0)
        again = decode_steps(adapter, 0, first, len(prompt))
        spills = store.stats().spills
    assert not np.allclose(diverted[-1], expected[-1])
    for want, got in zip(expected, again, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-4)
    assert spills == (1 if budget == 1 else 0)
