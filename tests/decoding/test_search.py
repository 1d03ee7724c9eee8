"""BeamSearch bookkeeping on a tiny deterministic fake model (the real model is in test_generator)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from decoding.checkpoint import CheckpointStore
from decoding.result import GenerationResult
from decoding.search import BeamSearch, SearchConfig, top_level_end
from decoding.sequence_model import StepInput

END = 0
PIECES = {0: b"", 1: b"a", 2: b"b", 3: b"\n", 4: b"c", 5: b"#", 9: b""}  # 9: the prompt


class ToyModel:
    """Next-token logits depend on the last token only; sequences are token lists."""

    def __init__(self, table: dict[int, list[float]], n_seq_max: int = 4) -> None:
        self.table = table
        self.n_seq_max = n_seq_max
        self.seqs: dict[int, list[int]] = {}
        self.fresh: set[int] = set()
        self.peak_live = 0

    def _row(self, seq_id: int) -> np.ndarray:
        return np.array(self.table[self.seqs[seq_id][-1]], dtype=np.float32)

    def decode_prompt(self, tokens: Sequence[int], *, seq_id: int = 0) -> None:
        self.seqs = {seq_id: list(tokens)}
        self.fresh = {seq_id}

    def step(self, inputs: Sequence[StepInput]) -> None:
        for item in inputs:
            if len(self.seqs[item.seq_id]) != item.position:
                raise AssertionError(f"position {item.position} after {self.seqs[item.seq_id]}")
            self.seqs[item.seq_id].append(item.token)
        self.fresh = {item.seq_id for item in inputs}
        self.peak_live = max(self.peak_live, len(self.seqs))

    def logits(self, seq_id: int) -> np.ndarray:
        if seq_id not in self.fresh:
            raise AssertionError(f"logits of sequence {seq_id} read before it was decoded")
        return self._row(seq_id)

    def fork(self, src: int, dst: int) -> None:
        self.seqs[dst] = list(self.seqs[src])
        self.fresh.discard(dst)

    def free(self, seq_id: int) -> None:
        self.seqs.pop(seq_id, None)
        self.fresh.discard(seq_id)

    def truncate(self, seq_id: int, length: int) -> None:
        del self.seqs[seq_id][length:]
        self.fresh.discard(seq_id)

    def piece(self, token: int) -> bytes:
        return PIECES[token]

    def is_end(self, token: int) -> bool:
        return token == END

    def seq_state(self, seq_id: int) -> bytearray:
        return bytearray(bytes(self.seqs[seq_id]))

    def set_seq_state(self, seq_id: int, data: bytearray) -> None:
        self.seqs[seq_id] = list(data)
        self.fresh.discard(seq_id)


CONFIDENT = {t: [-9.0, 9.0, -9.0, -9.0, -9.0, -9.0] for t in PIECES}  # always "a"
UNSURE_THEN_END = {
    5: [9.0, -9.0, -9.0, -9.0, -9.0, -9.0],
    0: [9.0, -9.0, -9.0, -9.0, -9.0, -9.0],
    9: [-9.0, 3.0, 3.0, 2.9, -9.0, -9.0],  # after the prompt: a, b or newline
    1: [9.0, -9.0, -9.0, -9.0, -9.0, -9.0],  # after a: end
    2: [-9.0, -9.0, -9.0, -9.0, 9.0, -9.0],  # after b: c
    3: [9.0, -9.0, -9.0, -9.0, -9.0, -9.0],
    4: [9.0, -9.0, -9.0, -9.0, -9.0, -9.0],  # after c: end
}


def run(model: ToyModel, **config: Any) -> GenerationResult:
    with CheckpointStore(model, budget_bytes=1 << 20) as store:
        return BeamSearch(model, store, SearchConfig(**config)).run([9])


def test_a_confident_model_flows_without_branching() -> None:
    model = ToyModel(CONFIDENT)
    result = run(model, max_tokens=5, beam_width=4)
    assert (result.text, result.stop_reason, result.stats.branches) == ("aaaaa", "max_tokens", 0)
    assert model.peak_live == 1


def test_an_uncertain_step_branches_into_the_best_alternatives() -> None:
    model = ToyModel(UNSURE_THEN_END)
    result = run(
        model,
        max_tokens=5,
        beam_width=3,
        branch_factor=3,
        prune_margin=100.0,
        entropy_threshold=0.5,
    )
    event = result.trace[0]
    assert [a.token for a in event.alternatives] == [1, 2, 3]
    assert model.peak_live == 3
    # "a" and "b" are equally likely; "bc" wins because the score is length-normalised.
    assert (result.text, result.stop_reason) == ("bc", "eos")


def test_a_beam_that_ends_on_its_own_beats_a_longer_one_cut_off_at_max_tokens() -> None:
    # "a" repeats with certainty and never ends; "bc" ends. Length-normalised, the cut-off
    # "aaaaaaaa" scores higher, but an unfinished answer must not win over a finished one.
    table = {**UNSURE_THEN_END, 1: [-9.0, 9.0, -9.0, -9.0, -9.0, -9.0]}
    result = run(
        ToyModel(table),
        max_tokens=8,
        beam_width=3,
        branch_factor=3,
        prune_margin=100.0,
        entropy_threshold=0.5,
    )
    assert (result.text, result.stop_reason) == ("bc", "eos")


def test_a_cut_off_beam_is_returned_when_no_beam_ends() -> None:
    result = run(ToyModel(CONFIDENT), max_tokens=3, beam_width=2)
    assert (result.text, result.stop_reason) == ("aaa", "max_tokens")


def test_beam_width_caps_the_live_sequences() -> None:
    model = ToyModel(UNSURE_THEN_END)
    run(
        model,
        max_tokens=5,
        beam_width=2,
        branch_factor=3,
        prune_margin=100.0,
        entropy_threshold=0.5,
    )
    assert model.peak_live <= 2


def test_finished_and_pruned_beams_release_their_sequences() -> None:
    model = ToyModel(UNSURE_THEN_END)
    run(
        model,
        max_tokens=5,
        beam_width=3,
        branch_factor=3,
        prune_margin=100.0,
        entropy_threshold=0.5,
    )
    assert model.seqs == {}


def test_stop_sequence_cuts_the_text() -> None:
    model = ToyModel(UNSURE_THEN_END)
    result = run(
        model,
        max_tokens=5,
        beam_width=1,
        stop_sequences=("a",),
        entropy_threshold=99.0,
        varentropy_threshold=99.0,
    )
    assert (result.text, result.stop_reason) == ("", "stop")


@pytest.mark.parametrize("width", [1, 3])
def test_same_seed_same_sampled_output(width: int) -> None:
    table = {t: [-9.0, 1.0, 1.0, 0.5, 1.0, -9.0] for t in PIECES}
    texts = {
        run(
            ToyModel(table),
            max_tokens=8,
            beam_width=width,
            temperature=1.0,
            seed=4,
            entropy_threshold=99.0,
            varentropy_threshold=99.0,
        ).text
        for _ in range(2)
    }
    assert len(texts) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" f(x):\n    return x\n\nprint(1)", " f(x):\n    return x\n"),
        ("    return 1\nfoo()", "    return 1"),
        (" f(x):\n    y = 1\n", None),
        (" f(x):\n", None),
        (' f(x):\n    """Doc.\n\nmore"""\n    return 1\nx', ' f(x):\n    """Doc.\n\nmore"""\n    return 1'),
    ],
)
def test_top_level_end_cuts_after_the_body(text: str, expected: str | None) -> None:
    index = top_level_end(text)
    assert (text[:index] if index is not None else None) == expected
