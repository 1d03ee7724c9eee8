"""The search end to end through ``Generator`` on the real small model (decoding mechanics)."""

from __future__ import annotations

import ast
import enum
import math
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
    assert len(result.trace[0].alternatives) == 3
    assert sum(a.probability for a in result.trace[0].alternatives) <= 1.0 + 1e-6
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


def test_auto_threshold_is_calibrated_from_the_prompt_continuation(
    small_model: ModelFile,
) -> None:
    with generator(small_model, beam_width=2, entropy_threshold="auto", max_tokens=24) as g:
        result = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
    threshold = result.stats.entropy_threshold
    assert 0.0 < threshold < math.log(262_144)
    assert all(event.entropy >= threshold or event.varentropy > 6.0 for event in result.trace)


def test_checkpoints_are_taken_at_boundaries(small_model: ModelFile) -> None:
    with generator(small_model, beam_width=2, max_tokens=48) as g:
        result = g.generate(CLOSE_STUB, code_prefix=CLOSE_STUB)
    assert result.stats.checkpoints >= 2
    assert result.stats.checkpoint_bytes > 0


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
    assert result.stats.checkpoint_restores >= 1


class Action(enum.Enum):
    NO_ISSUES = "no_issues"
    HARD_FAIL = "hard_fail"


@dataclass(frozen=True)
class Decision:
    action: Action
    penalty_delta: float
    hard_failed: bool


class ForbidText:
    """A controller that fails every beam whose code contains ``forbidden``."""

    def __init__(self, forbidden: str) -> None:
        self.forbidden = forbidden
        self.codes: list[str] = []
        self.repairs = 0

    def check(self, *, code: str, **_: object) -> Decision:
        self.codes.append(code)
        if self.forbidden in code:
            return Decision(Action.HARD_FAIL, 10.0, True)
        return Decision(Action.NO_ISSUES, 0.0, False)

    def fork(self, parent_id: int, child_id: int) -> None:
        pass

    def forget(self, beam_id: int) -> None:
        pass

    def record_repair(self, gen_id: str) -> None:
        self.repairs += 1


def test_controller_sees_the_code_prefix_plus_the_completion(small_model: ModelFile) -> None:
    controller = ForbidText("never present")
    with generator(small_model, beam_width=1, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller)
    assert controller.codes
    assert controller.codes[-1] == ADD_STUB + result.text


def test_when_every_beam_fails_the_best_is_repaired(small_model: ModelFile) -> None:
    controller = ForbidText("a + b")
    with generator(small_model, beam_width=2, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller, max_repairs=3)
    assert result.stats.hard_fails >= 1
    assert result.stats.repairs >= 1
    assert controller.repairs == result.stats.repairs
    assert "a + b" not in result.text


def test_without_repairs_left_the_search_reports_no_safe_beam(small_model: ModelFile) -> None:
    controller = ForbidText("return")
    with generator(small_model, beam_width=1, max_tokens=48) as g:
        result = g.generate(ADD_STUB, code_prefix=ADD_STUB, controller=controller, max_repairs=0)
    assert result.stop_reason == "no_safe_beam"
    assert "return" not in result.text


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.gguf"
    bad.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    model = ModelFile(path=bad, size=bad.stat().st_size, sha256_prefix="0" * 12)
    with pytest.raises(ModelLoadError, match="corrupt"):
        Generator.open(model, ModelSettings(), DecodingSettings())
