"""A prompt's length from the vocabulary alone: the same count as the loaded model's, no weights."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from decoding.errors import PromptTooLongError
from decoding.llama_adapter import LlamaAdapter
from decoding.model_file import ModelFile
from decoding.prompt_length import check_fits, count_tokens, open_vocabulary

TEXT = 'def greet(name: str) -> str:\n    """Say héllo → ✓."""\n' * 20


@pytest.mark.model
@pytest.mark.parametrize("special", [False, True], ids=["plain", "special tokens"])
def test_the_vocabulary_alone_counts_as_the_loaded_model_does(
    adapter: LlamaAdapter, small_model: ModelFile, special: bool
) -> None:
    text = "<start_of_turn>user\n" + TEXT if special else TEXT
    vocabulary = open_vocabulary(small_model.path)
    assert vocabulary is not None
    with vocabulary:
        counted = count_tokens(vocabulary, text, special=special)
        assert vocabulary.tokenize(text, add_bos=not special, special=special) == adapter.tokenize(
            text, add_bos=not special, special=special
        )
    assert counted == len(adapter.tokenize(text, add_bos=not special, special=special))


@pytest.mark.model
def test_the_vocabulary_reads_the_chat_template_of_the_gguf(
    adapter: LlamaAdapter, small_model: ModelFile
) -> None:
    vocabulary = open_vocabulary(small_model.path)
    assert vocabulary is not None
    with vocabulary:
        template = vocabulary.chat_template()
    source = adapter.metadata("tokenizer.chat_template")
    assert (template.source if template is not None else None) == (source or None)
    if template is not None:
        assert template.bos_token == adapter.special_text(adapter.bos_token)


def test_a_file_llama_cpp_cannot_load_has_no_vocabulary(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + os.urandom(4096))
    assert open_vocabulary(corrupt) is None  # the full load says why


def test_a_prompt_fits_up_to_the_last_cell() -> None:
    check_fits(3840, 256, 4096)
    with pytest.raises(PromptTooLongError, match="the prompt is 3841 tokens and 256 more"):
        check_fits(3841, 256, 4096)
