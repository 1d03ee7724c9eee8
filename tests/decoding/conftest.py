"""Fixtures of the decoding tests: the small model loaded once for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from decoding.llama_adapter import LlamaAdapter
from decoding.model_file import ModelFile

ADD_STUB = 'def add(a: int, b: int) -> int:\n    """Return the sum of a and b."""\n'


@pytest.fixture(scope="session")
def shared_adapter(small_model: ModelFile) -> Iterator[LlamaAdapter]:
    """The small model loaded once, with room for four sequences."""
    with LlamaAdapter(small_model.path, n_ctx=2048, n_seq_max=4) as adapter:
        yield adapter


@pytest.fixture
def adapter(shared_adapter: LlamaAdapter) -> LlamaAdapter:
    """The shared model with every sequence emptied."""
    shared_adapter.clear()
    return shared_adapter
