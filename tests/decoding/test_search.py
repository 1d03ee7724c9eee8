"""BeamSearch bookkeeping on a tiny deterministic fake model (the real model is in test_generator)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from decoding.result import GenerationResult
from decoding.search import BeamSearch, SearchConfig
from decoding.sequence_model import StepInput

END, A, B, NL, C, HASH, X = range(7)
PROMPT = 9
PIECES = {END: b"", A: b"a", B: b"b", NL: b"\n", C: b"c", HASH: b"#", X: b"x", PROMPT: b""}


def row(**logits: float) -> list[float]:
    """A logits row: -9 everywhere except the named tokens."""
    names = {"end": END, "a": A, "b": B, "nl": NL, "c": C, "hash": HASH, "x": X}
    values = [-9.0] * len(names)
    for name, value in logits.items():
        values[names[name]] = value
    return values


class ToyModel:
    """Next-token logits depend on the last token only; sequences are token lists."""

    def __init__(
        self,
        table: dict[int, list[float]],
        n_seq_max: int = 4,
        pieces: dict[int, bytes] | None = None,
    ) -> None:
        self.table = table
        self.pieces = {**PIECES, **(pieces or {})}
        self.n_seq_max = n_seq_max
        self.seqs: dict[int, list[int]] = {}
        self.fresh: set[int] = set()
        self.peak_live = 0
        self.truncations: list[tuple[int, int]] = []

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
        self.truncations.append((seq_id, length))
        del self.seqs[seq_id][length:]
        self.fresh.discard(seq_id)

    def piece(self, token: int) -> bytes:
        return self.pieces[token]

    def is_end(self, token: int) -> bool:
        return token == END


CONFIDENT = {t: row(a=9.0) for t in PIECES}  # always "a"
UNSURE_THEN_END = {
    PROMPT: row(a=3.0, b=3.0, nl=2.9),  # after the prompt: a, b or newline
    A: row(end=9.0),  # after a: end
    B: row(c=9.0),  # after b: c
    C: row(end=9.0),  # after c: end
    NL: row(end=9.0),
    END: row(end=9.0),
    HASH: row(end=9.0),
    X: row(end=9.0),
}
UNSURE = {"entropy_threshold": 0.5, "prune_margin": 100.0, "branch_factor": 3}


@dataclass(frozen=True)
class Decision:
    checked: bool
    penalty_delta: float
    unsafe_line: int | None
    unsafe_col: int | None = None
    unsafe_rule: str | None = None


class LineFlagger:
    """A controller that calls every line holding ``x`` unsafe, and records what it was told."""

    safe_boost = 0.0

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.rewinds: list[tuple[int, int]] = []
        self.refusals: list[str] = []

    def check(self, *, code: str, prompt_lines: int = 0, **_: Any) -> Decision:
        self.codes.append(code)
        lines = code.split("\n")
        flagged = [n for n, text in enumerate(lines, 1) if "x" in text and n > prompt_lines]
        return Decision(True, 0.0, flagged[0] if flagged else None)

    def fork(self, parent_id: int, child_id: int) -> None:
        del parent_id, child_id

    def rewind(self, gen_id: str, beam_id: int, from_line: int) -> float:
        del gen_id
        self.rewinds.append((beam_id, from_line))
        return 0.0

    def forget(self, beam_id: int) -> None:
        del beam_id

    def refuse(self, gen_id: str, reason: str) -> None:
        del gen_id
        self.refusals.append(reason)


def run(
    model: ToyModel, controller: LineFlagger | None = None, prefix: str = "", **config: Any
) -> GenerationResult:
    return BeamSearch(model, SearchConfig(**config), controller=controller).run(
        [PROMPT], code_prefix=prefix
    )


def test_a_confident_model_flows_without_branching() -> None:
    model = ToyModel(CONFIDENT)
    result = run(model, max_tokens=5, beam_width=4)
    assert (result.text, result.stop_reason, result.stats.branches) == ("aaaaa", "max_tokens", 0)
    assert model.peak_live == 1
    assert result.stats.mean_live_beams == 1.0


def test_an_uncertain_step_branches_into_the_best_alternatives() -> None:
    model = ToyModel(UNSURE_THEN_END)
    result = run(model, max_tokens=5, beam_width=3, **UNSURE)
    event = result.trace[0]
    assert [a.token for a in event.alternatives] == [A, B, NL]
    assert model.peak_live == 3
    # "a" and "b" are equally likely; "bc" wins because the score is length-normalised.
    assert (result.text, result.stop_reason) == ("bc", "eos")


def test_a_beam_that_ends_on_its_own_beats_a_longer_one_cut_off_at_max_tokens() -> None:
    # "a" repeats with certainty and never ends; "bc" ends. Length-normalised, the cut-off
    # "aaaaaaaa" scores higher, but an unfinished answer must not win over a finished one.
    table = {**UNSURE_THEN_END, A: row(a=9.0)}
    result = run(ToyModel(table), max_tokens=8, beam_width=3, **UNSURE)
    assert (result.text, result.stop_reason) == ("bc", "eos")


def test_a_cut_off_beam_is_returned_when_no_beam_ends() -> None:
    result = run(ToyModel(CONFIDENT), max_tokens=3, beam_width=2)
    assert (result.text, result.stop_reason) == ("aaa", "max_tokens")


def test_beam_width_caps_the_live_sequences() -> None:
    model = ToyModel(UNSURE_THEN_END)
    run(model, max_tokens=5, beam_width=2, **UNSURE)
    assert model.peak_live <= 2


def test_finished_and_pruned_beams_release_their_sequences() -> None:
    model = ToyModel(UNSURE_THEN_END)
    run(model, max_tokens=5, beam_width=3, **UNSURE)
    assert model.seqs == {}


def test_beams_whose_text_rejoins_are_merged() -> None:
    # Two routes reach "abc" at the same step: "a" + "bc", and "ab" + "c".
    table = {
        PROMPT: row(a=3.0, c=3.0),
        A: row(hash=9.0),
        C: row(b=9.0),
        HASH: row(end=9.0),
        B: row(end=9.0),
        END: row(end=9.0),
    }
    model = ToyModel(table, pieces={C: b"ab", HASH: b"bc", B: b"c"})
    result = run(
        model, max_tokens=4, beam_width=3, entropy_threshold=0.5, prune_margin=100.0,
        branch_factor=2,
    )
    assert result.stats.merges == 1
    assert (result.text, result.stop_reason) == ("abc", "eos")


def test_commit_after_keeps_only_the_best_beam_once_the_lookahead_ends() -> None:
    table = {**UNSURE_THEN_END, A: row(a=9.0), B: row(b=9.0), NL: row(nl=9.0)}
    model = ToyModel(table)
    result = run(model, max_tokens=8, beam_width=3, commit_after=2, **UNSURE)
    assert result.stats.commits == 1
    # one beam, three for the two lookahead steps, then one again
    assert result.stats.mean_live_beams == (1 + 3 + 3 + 1 * 5) / 8
    assert result.stats.branches == 1


def test_an_unsafe_statement_is_rewound_and_its_first_token_banned() -> None:
    table = {
        PROMPT: row(x=5.0, a=2.0),  # "x" is the model's first choice, "a" its second
        X: row(nl=9.0),
        A: row(nl=9.0),
        NL: row(end=9.0),
        END: row(end=9.0),
    }
    model = ToyModel(table)
    controller = LineFlagger()
    result = run(model, controller, max_tokens=4, beam_width=1)
    assert (result.text, result.stop_reason) == ("a\n", "eos")
    assert (result.stats.unsafe, result.stats.rewinds, result.stats.kills) == (1, 1, 0)
    assert model.truncations == [(0, 0)]  # back to the prompt; its last token is fed again
    assert controller.rewinds == [(0, 1)]


def test_the_ban_falls_on_the_flagged_statement_not_the_last_checked_one() -> None:
    # "a\n" then "x\n": the flag names line 2, so "a\n" is kept and "x" is banned.
    table = {
        PROMPT: row(a=9.0),
        A: row(nl=9.0),
        NL: row(x=5.0, c=2.0),
        X: row(nl=9.0),
        C: row(end=9.0),
        END: row(end=9.0),
    }
    result = run(ToyModel(table), LineFlagger(), max_tokens=4, beam_width=1)
    assert result.text.startswith("a\nc")
    assert result.stats.rewinds == 1


def test_findings_on_the_prompts_own_lines_are_not_charged() -> None:
    controller = LineFlagger()
    result = run(ToyModel(CONFIDENT), controller, prefix="x = 1\n", max_tokens=3, beam_width=1)
    assert controller.codes  # the final check ran on prompt + completion
    assert result.stats.unsafe == 0
    assert (result.text, result.stop_reason) == ("aaa", "max_tokens")


def test_a_beam_unsafe_after_its_last_rewind_fails_with_the_code_before_the_statement() -> None:
    table = {PROMPT: row(a=9.0), A: row(nl=9.0), NL: row(x=9.0), X: row(x=9.0, end=8.0)}
    table[END] = row(end=9.0)
    result = run(ToyModel(table), LineFlagger(), max_tokens=6, beam_width=1, max_rewinds=0)
    assert (result.stop_reason, result.text) == ("no_safe_beam", "a\n")
    assert result.stats.kills == 1


def test_stop_sequence_cuts_the_text() -> None:
    result = run(
        ToyModel(UNSURE_THEN_END),
        max_tokens=5,
        beam_width=1,
        stop_sequences=("a",),
        entropy_threshold=99.0,
        varentropy_threshold=99.0,
    )
    assert (result.text, result.stop_reason) == ("", "stop")


def test_a_stop_sequence_may_begin_in_the_code_prefix() -> None:
    # The prefix ends with a newline and the model's first token completes the stop.
    config = {"max_tokens": 5, "beam_width": 1, "stop_sequences": ("\na",)}
    result = run(ToyModel(CONFIDENT), prefix="def f():\n", **config)
    assert (result.text, result.stop_reason) == ("", "stop")
    assert run(ToyModel(CONFIDENT), prefix="x = 1", **config).stop_reason == "max_tokens"


@pytest.mark.parametrize("width", [1, 3])
def test_same_seed_same_sampled_output(width: int) -> None:
    table = {t: row(a=1.0, b=1.0, nl=0.5, c=1.0) for t in PIECES}
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


def test_every_finished_beam_is_in_the_result_best_first() -> None:
    result = run(ToyModel(UNSURE_THEN_END), max_tokens=5, beam_width=3, **UNSURE)
    assert result.beams[0].text == result.text
    assert sorted(beam.text for beam in result.beams) == ["\n", "a", "bc"]
    scores = [beam.score for beam in result.beams]
    assert scores == sorted(scores, reverse=True)


#: Every step after the prompt: a, b or c, equally likely; c ends the sample.
COIN = {t: row(a=1.0, b=1.0, c=1.0) for t in PIECES} | {C: row(end=9.0), END: row(end=9.0)}
SAMPLES = {"temperature": 1.0, "seed": 3, "entropy_threshold": 0.0, "independent": True}


def test_independent_samples_start_apart_and_never_branch_merge_or_prune() -> None:
    model = ToyModel(COIN)
    result = run(model, max_tokens=12, beam_width=4, commit_after=1, **SAMPLES)
    # the threshold of 0 would branch a search at every step, and commit_after would keep one
    # beam a step later: samples do neither
    assert (result.stats.branches, result.stats.merges, result.stats.prunes) == (0, 0, 0)
    assert result.stats.commits == 0
    assert model.peak_live == 4
    assert len(result.beams) == 4
    assert len({beam.text for beam in result.beams}) > 1
    assert model.seqs == {}


def test_samples_with_the_same_seed_are_the_same_samples() -> None:
    first, second = (run(ToyModel(COIN), max_tokens=12, beam_width=3, **SAMPLES) for _ in "ab")
    assert [b.text for b in first.beams] == [b.text for b in second.beams]
