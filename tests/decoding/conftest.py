"""Fixtures of the decoding tests: one loaded model shared by the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from decoding.llama_adapter import LlamaAdapter

ADD_STUB = 'def add(a: int, b: int) -> int:\n    """Return the sum of a and b."""\n'


@pytest.fixture(scope="session")
def shared_adapter(model_path: Path) -> Iterator[LlamaAdapter]:
    """The default model loaded once, with room for four sequences."""
    with LlamaAdapter(model_path, n_ctx=2048, n_seq_max=4) as adapter:
        yield adapter


@pytest.fixture
def adapter(shared_adapter: LlamaAdapter) -> LlamaAdapter:
    """The shared model with every sequence emptied."""
    shared_adapter.clear()
    return shared_adapter
