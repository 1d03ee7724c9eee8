"""The search end to end through ``Generator`` on the real small model (decoding mechanics)."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np
import pytest

from config.settings import DecodingSettings, ModelSettings
from decoding.errors import ModelLoadError, PromptTooLongError
from decoding.generator import Generator
from decoding.llama_adapter import LlamaAdapter
from decoding.model_file import ModelFile
from decoding.result import GenerationStats
from decoding.sequence_model import StepInput

from .conftest import ADD_STUB

pytestmark = pytest.mark.model

CLOSE_STUB = (
    "from typing import List\n\n\n"
    "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
    '    """Check if in given list of numbers, are any two numbers closer to each other than\n'
    '    given threshold."""\n'
)
STOPS = DecodingSettings().stop_sequences


@contextmanager
def generator(small_model: ModelFile, *, seed: int = 0, **decoding: Any) -> Iterator[Generator]:
    with Generator.open(small_model, ModelSettings(seed=seed), DecodingSettings(**decoding)) as g:
        yield g


@pytest.mark.parametrize("prompt", [ADD_STUB, CLOSE_STUB], ids=["add", "close"])
def test_one_greedy_beam_equals_llama_cpp_greedy_completion(
    small_model: ModelFile, prompt: str
) -> None:
    with generator(small_model, beam_width=1, temperature=0.0, max_tokens=48) as g:
        ours = g.generate(prompt, code_prefix=prompt)
    llm = llama_cpp.Llama(
        str(small_model.path), n_ctx=2048, n_threads=os.cpu_count(), verbose=False
    )
    try:
        theirs = llm(prompt, max_tokens=48, temperature=0.0, stop=list(STOPS))
    finally:
        llm.close()
    assert ours.text == theirs["choices"][0]["text"]  # type: ignore[index]


def test_one_greedy_beam_equals_an_argmax_loop(small_model: ModelFile) -> None:
    with generator(
        small_model, beam_width=1, max_tokens=40, stop_sequences=(), stop_at_top_level=False
    ) as g:
        ours = g.generate(CLOSE_STUB)
    with LlamaAdapter(small_model.path, n_ctx=1024, n_seq_max=1) as adapter:
        prompt = adapter.tokenize(CLOSE_STUB)
        adapter.decode_prompt(prompt)
        expected: list[int] = []
        while len(expected) < 40:
            token = int(np.argmax(adapter.logits(0)))
            if adapter.is_end(token):
                break
            expected.append(token)
            adapter.step([StepInput(0, token, len(prompt) + len(expected) - 1)])
    assert list(ours.tokens) == expected


def test_same_seed_gives_the_same_output(small_model: ModelFile) -> None:
    with generator(small_model, seed=11, beam_width=2, temperature=0.9, max_tokens=32) as g:
        first = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
        second = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
    assert (first.tokens, first.trace) == (second.tokens, second.trace)


def test_uncertain_steps_branch_and_the_result_is_valid_python(small_model: ModelFile) -> None:
    with generator(small_model, beam_width=4, entropy_threshold=0.5, max_tokens=64) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB)
    assert result.stats.branches >= 1
    for event in result.trace:
        probabilities = [a.probability for a in event.alternatives]
        assert len(probabilities) == 3
        assert probabilities == sorted(probabilities, reverse=True)  # the three most likely
        assert event.entropy >= 0.5 or event.varentropy > 6.0  # only where the gate opened
    ast.parse(ADD_STUB + result.text)


def test_stop_sequence_ends_and_trims_the_text(small_model: ModelFile) -> None:
    with generator(small_model, beam_width=1, max_tokens=96, stop_sequences=("return",)) as g:
        result = g.generate(ADD_STUB)
    assert result.stop_reason == "stop"
    assert "return" not in result.text


def test_max_tokens_ends_the_generation(small_model: ModelFile) -> None:
    with generator(small_model, beam_width=2, max_tokens=5, stop_sequences=()) as g:
        result = g.generate(CLOSE_STUB)
    assert (result.stop_reason, len(result.tokens)) == ("max_tokens", 5)


def test_prompt_longer_than_the_context_is_refused(small_model: ModelFile) -> None:
    with (
        Generator.open(small_model, ModelSettings(n_ctx=256), DecodingSettings(max_tokens=16)) as g,
        pytest.raises(PromptTooLongError, match="raise --n-ctx"),
    ):
        g.generate("x = 1\n" * 200)


def test_progress_is_reported_every_log_every_steps(small_model: ModelFile) -> None:
    seen: list[int] = []

    def progress(stats: GenerationStats) -> None:
        seen.append(stats.steps)

    with generator(small_model, beam_width=1, max_tokens=12, stop_sequences=(), log_every=4) as g:
        g.generate(CLOSE_STUB, on_progress=progress)
    assert seen == [4, 8, 12]


def test_auto_threshold_is_calibrated_on_each_prompt(small_model: ModelFile) -> None:
    with generator(small_model, beam_width=2, entropy_threshold="auto", max_tokens=24) as g:
        close = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
        add = g.generate(ADD_STUB, code_prefix=ADD_STUB)
        close_again = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
    thresholds = [r.stats.entropy_threshold for r in (close, add, close_again)]
    assert thresholds[0] != thresholds[1]
    assert thresholds[0] == thresholds[2]
    for result in (close, add):
        threshold = result.stats.entropy_threshold
        assert all(e.entropy >= threshold or e.varentropy > 6.0 for e in result.trace)


def test_a_collapsing_beam_backtracks(small_model: ModelFile) -> None:
    """Sampling far into the tail (never branching) makes the tokens improbable: a collapse."""
    with generator(
        small_model,
        seed=3,
        beam_width=1,
        temperature=5.0,
        top_k=5000,
        top_p=1.0,
        entropy_threshold=99.0,
        varentropy_threshold=1e6,
        max_tokens=32,
        stop_sequences=(),
    ) as g:
        result = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
    assert result.stats.backtracks >= 1
    assert len(result.tokens) == result.stats.generated_tokens <= 32


@dataclass(frozen=True)
class Decision:
    checked: bool
    penalty_delta: float
    unsafe_line: int | None
    unsafe_col: int | None = None
    unsafe_rule: str | None = None


class FlagText:
    """A controller that calls a line holding ``text`` unsafe, the first ``times`` times."""

    safe_boost = 0.0

    def __init__(self, text: str, times: int = 1_000) -> None:
        self.text = text
        self.times = times
        self.codes: list[str] = []
        self.rewinds: list[int] = []

    def check(self, *, code: str, prompt_lines: int = 0, **_: object) -> Decision:
        self.codes.append(code)
        lines = code.split("\n")
        hits = [n for n, line in enumerate(lines, 1) if self.text in line and n > prompt_lines]
        if hits and self.times > 0:
            self.times -= 1
            return Decision(True, 0.0, hits[0])
        return Decision(True, 0.0, None)

    def fork(self, parent_id: int, child_id: int) -> None:
        pass

    def rewind(self, gen_id: str, beam_id: int, from_line: int) -> float:
        self.rewinds.append(from_line)
        return 0.0

    def forget(self, beam_id: int) -> None:
        pass

    def refuse(self, gen_id: str, reason: str) -> None:
        pass


def test_controller_sees_the_code_prefix_plus_the_completion(small_model: ModelFile) -> None:
    controller = FlagText("never present")
    with generator(small_model, beam_width=1, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller)
    assert controller.codes
    assert controller.codes[-1] == ADD_STUB + result.text


def test_a_rewound_beam_decodes_as_a_fresh_sequence_would(small_model: ModelFile) -> None:
    """After SABS cuts the sequence back, every later token is the greedy choice of a fresh
    decode of the same tokens, except the one banned where the rewind happened."""
    controller = FlagText("return", times=1)
    with generator(small_model, beam_width=1, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller)
        assert result.stats.rewinds == 1
        adapter = g.adapter
        prompt = adapter.tokenize(ADD_STUB)
        adapter.decode_prompt(prompt)
        ranks = []
        for i, token in enumerate(result.tokens):
            logits = adapter.logits(0)
            ranks.append(int((logits > logits[token]).sum()))
            adapter.step([StepInput(0, token, len(prompt) + i)])
        adapter.clear()
    assert ranks.count(1) == 1  # the banned token's runner-up
    assert set(ranks) == {0, 1}


def test_an_unsafe_statement_is_rewritten(small_model: ModelFile) -> None:
    controller = FlagText("a + b")
    with generator(small_model, beam_width=2, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller, max_rewinds=3)
    assert result.stats.unsafe >= 1
    assert result.stats.rewinds >= 1
    assert "a + b" not in result.text


def test_without_rewinds_left_the_search_reports_no_safe_beam(small_model: ModelFile) -> None:
    controller = FlagText("return")
    with generator(small_model, beam_width=1, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller, max_rewinds=0)
    assert result.stop_reason == "no_safe_beam"
    assert result.stats.kills == 1
    assert "return" not in result.text


def test_a_long_prompt_with_four_beams_and_rewinds_fits_its_context(
    small_model: ModelFile,
) -> None:
    prompt = "".join(f"VALUE_{i} = {i}  # a constant\n" for i in range(215)) + ADD_STUB
    settings = DecodingSettings(beam_width=4, max_tokens=48, entropy_threshold=0.5)
    with Generator.open(small_model, ModelSettings(n_ctx=4096), settings) as g:
        n_prompt = len(g.adapter.tokenize(prompt))
        result = g.generate(prompt, code_prefix=ADD_STUB, controller=FlagText("return"))
    assert n_prompt >= 3000
    assert result.stats.unsafe >= 2
    assert result.stats.rewinds >= 2


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.gguf"
    bad.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    model = ModelFile(path=bad, size=bad.stat().st_size, sha256_prefix="0" * 12)
    with pytest.raises(ModelLoadError, match="corrupt"):
        Generator.open(model, ModelSettings(), DecodingSettings())


def test_samples_are_decoded_together_and_the_same_seed_draws_them_again(
    small_model: ModelFile,
) -> None:
    settings = DecodingSettings(beam_width=1, max_tokens=24)
    with Generator.open(small_model, ModelSettings(), settings, samples=3) as g:
        drawn = [
            g.sample(ADD_STUB, 3, temperature=1.0, seed=7, code_prefix=ADD_STUB) for _ in "ab"
        ]
    first, second = drawn
    assert len(first.beams) == 3
    assert [b.text for b in first.beams] == [b.text for b in second.beams]
    assert first.stats.mean_live_beams > 1  # one batch advanced several sequences per step
    assert first.stats.branches == 0


def test_samples_told_to_avoid_an_earlier_answer_do_not_begin_as_it_did(
    small_model: ModelFile,
) -> None:
    settings = DecodingSettings(beam_width=1, max_tokens=12)
    with Generator.open(small_model, ModelSettings(), settings, samples=3) as g:
        plain = g.sample(ADD_STUB, 3, temperature=0.3, seed=7, code_prefix=ADD_STUB)
        earlier = plain.beams[0].text
        avoided = g.sample(
            ADD_STUB, 3, temperature=0.3, seed=7, code_prefix=ADD_STUB, avoid=[earlier]
        )
    first_word = earlier.split()[0]
    assert sum(b.text.split()[0] == first_word for b in plain.beams) >= 2  # a confident start
    assert avoided.beams
    assert all(not b.text.split() or b.text.split()[0] != first_word for b in avoided.beams)
