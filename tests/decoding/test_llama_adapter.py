"""The llama.cpp adapter on the real default model: loading, tokens, sequences, logits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config.errors import UserError
from decoding.errors import DecodingError, ModelLoadError
from decoding.llama_adapter import LlamaAdapter
from decoding.model_file import ModelFile
from decoding.sequence_model import StepInput

pytestmark = pytest.mark.model

PROMPT = "def greet(name: str) -> str:\n    "


def test_capabilities_are_probed_at_load(adapter: LlamaAdapter) -> None:
    caps = adapter.capabilities
    assert (caps.vocab_size, caps.n_ctx_train, caps.sliding_window) == (262_144, 32_768, 512)
    assert caps.can_fork and caps.can_truncate


def test_a_one_sequence_context_reports_it_cannot_fork(small_model: ModelFile) -> None:
    with LlamaAdapter(small_model.path, n_ctx=256, n_seq_max=1) as single:
        assert (single.capabilities.can_fork, single.capabilities.can_truncate) == (False, True)


def test_tokenize_detokenize_round_trip_with_multibyte_text(adapter: LlamaAdapter) -> None:
    text = 'print("héllo wörld → ✓ 😀")\n'
    tokens = adapter.tokenize(text, add_bos=False)
    assert adapter.detokenize(tokens) == text


def test_bos_is_added_on_request(adapter: LlamaAdapter) -> None:
    assert adapter.tokenize("x", add_bos=True)[0] == adapter.bos_token
    assert adapter.bos_token not in adapter.tokenize("x", add_bos=False)


def test_end_of_generation_token_is_recognised(adapter: LlamaAdapter) -> None:
    (end_of_turn,) = adapter.tokenize("<end_of_turn>", add_bos=False, special=True)
    assert adapter.is_end(adapter.eos_token)
    assert adapter.is_end(end_of_turn)  # the chat turn end also ends generation
    assert not adapter.is_end(adapter.tokenize("x", add_bos=False)[0])


def test_logits_are_a_view_of_llama_cpp_memory(adapter: LlamaAdapter) -> None:
    adapter.decode_prompt(adapter.tokenize(PROMPT))
    row = adapter.logits(0)
    assert row.shape == (adapter.n_vocab,)
    assert not row.flags.owndata


def test_logits_of_an_undecoded_sequence_are_refused(adapter: LlamaAdapter) -> None:
    adapter.decode_prompt(adapter.tokenize(PROMPT))
    adapter.fork(0, 1)
    with pytest.raises(DecodingError, match="decode it first"):
        adapter.logits(1)


def decode_alone(adapter: LlamaAdapter, prompt: list[int], continuation: list[int]) -> np.ndarray:
    """Logits after feeding ``continuation`` token by token to a lone sequence."""
    adapter.clear()
    adapter.decode_prompt(prompt)
    for i, token in enumerate(continuation):
        adapter.step([StepInput(0, token, len(prompt) + i)])
    return adapter.logits(0).copy()


def decode_pair(
    adapter: LlamaAdapter, prompt: list[int], first: list[int], second: list[int]
) -> np.ndarray:
    """Fork the prompt into sequences 1 and 2, advance both in shared batches; logits of 1."""
    adapter.clear()
    adapter.decode_prompt(prompt)
    adapter.fork(0, 1)
    adapter.fork(0, 2)
    adapter.free(0)
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        adapter.step([StepInput(1, a, len(prompt) + i), StepInput(2, b, len(prompt) + i)])
    return adapter.logits(1).copy()


def probabilities(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits.astype(np.float64) - logits.max())
    return shifted / shifted.sum()


def test_a_forked_beam_does_not_depend_on_its_sibling(adapter: LlamaAdapter) -> None:
    prompt = adapter.tokenize(PROMPT)
    beam = adapter.tokenize("return f'Hi {name}'", add_bos=False)[:4]
    sibling_a = adapter.tokenize('print("hello", name)', add_bos=False)[:4]
    sibling_b = adapter.tokenize("while True: pass", add_bos=False)[:4]
    np.testing.assert_array_equal(
        decode_pair(adapter, prompt, beam, sibling_a), decode_pair(adapter, prompt, beam, sibling_b)
    )


def test_a_forked_beam_matches_a_fresh_single_sequence_decode(adapter: LlamaAdapter) -> None:
    """Same distribution and argmax; a two-token batch takes another kernel path, so not bit-equal."""
    prompt = adapter.tokenize(PROMPT)
    beam = adapter.tokenize("return f'Hi {name}'", add_bos=False)[:4]
    sibling = adapter.tokenize('print("hello", name)', add_bos=False)[:4]
    batched = decode_pair(adapter, prompt, beam, sibling)
    alone = decode_alone(adapter, prompt, beam)
    np.testing.assert_allclose(probabilities(batched), probabilities(alone), atol=0.02)
    assert int(np.argmax(batched)) == int(np.argmax(alone))
    assert (
        np.abs(probabilities(batched) - probabilities(decode_alone(adapter, prompt, sibling))).max()
        > 0.1
    )


def test_freeing_one_beam_never_changes_another(adapter: LlamaAdapter) -> None:
    prompt = adapter.tokenize(PROMPT)
    keep = adapter.tokenize("return name.upper()", add_bos=False)[:5]
    other = adapter.tokenize("x = 1; y = 2", add_bos=False)[:2]

    def run(free_other: bool) -> np.ndarray:
        adapter.clear()
        adapter.decode_prompt(prompt)
        adapter.fork(0, 1)
        for i in range(2):
            adapter.step(
                [StepInput(0, keep[i], len(prompt) + i), StepInput(1, other[i], len(prompt) + i)]
            )
        if free_other:
            adapter.free(1)
        for i in range(2, 5):
            adapter.step([StepInput(0, keep[i], len(prompt) + i)])
        return adapter.logits(0).copy()

    np.testing.assert_array_equal(run(free_other=True), run(free_other=False))


def test_truncate_then_redecode_reproduces_logits(adapter: LlamaAdapter) -> None:
    prompt = adapter.tokenize(PROMPT)
    path = adapter.tokenize("return name * 2", add_bos=False)[:3]
    expected = decode_alone(adapter, prompt, path)
    adapter.truncate(0, len(prompt) + 1)
    adapter.step([StepInput(0, path[1], len(prompt) + 1)])
    adapter.step([StepInput(0, path[2], len(prompt) + 2)])
    np.testing.assert_allclose(adapter.logits(0), expected, atol=1e-3)
    assert adapter.seq_length(0) == len(prompt) + 3


def test_a_corrupt_gguf_is_a_clear_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 256)
    with pytest.raises(ModelLoadError, match="could not load") as caught:
        LlamaAdapter(bad, n_ctx=256, n_seq_max=1)
    assert isinstance(caught.value, UserError)


def test_a_truncated_gguf_is_a_clear_user_error(tmp_path: Path, small_model: ModelFile) -> None:
    cut = tmp_path / "cut.gguf"
    with small_model.path.open("rb") as source:
        cut.write_bytes(source.read(5_000_000))
    with pytest.raises(ModelLoadError):
        LlamaAdapter(cut, n_ctx=256, n_seq_max=1)
