"""Offline embedders: the hashing fallback and the real GGUF through llama.cpp."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from decoding.model_file import ModelFile
from memory.embedding import GGUFEmbedder, HashingEmbedder, make_embedder
from memory.schema import embedding_dim
from memory.store import EpisodeStore
from tests.memory.factories import make_episode

REPO = Path(__file__).resolve().parents[2]


def _cosine(vectors: np.ndarray, i: int, j: int) -> float:
    return float(vectors[i] @ vectors[j])


def test_hashing_vectors_have_unit_length() -> None:
    vectors = HashingEmbedder(dim=64).embed(["parse a date", "sort a list of dictionaries"])
    assert vectors.shape == (2, 64)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)


def test_hashing_puts_shared_words_closer_than_unrelated_text() -> None:
    vectors = HashingEmbedder().embed(
        ["parse an ISO date string", "parse a date in ISO format", "sort a list of dictionaries"]
    )
    assert _cosine(vectors, 0, 1) > _cosine(vectors, 0, 2)


def test_hashing_is_identical_in_another_process() -> None:
    code = (
        "from memory.embedding import HashingEmbedder;"
        "print(HashingEmbedder().embed(['read a csv file'])[0].tobytes().hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    here = HashingEmbedder().embed(["read a csv file"])[0].tobytes().hex()
    assert other.stdout.strip() == here


def test_empty_text_gives_a_zero_vector() -> None:
    assert not HashingEmbedder(dim=16).embed([""]).any()


def test_make_embedder_hash_needs_no_model() -> None:
    assert isinstance(make_embedder("hash", None), HashingEmbedder)


def test_make_embedder_gguf_without_a_model_file_is_refused() -> None:
    with pytest.raises(ValueError, match="model file"):
        make_embedder("gguf", None)


def test_gguf_embedder_is_named_after_its_file_without_loading(default_model: ModelFile) -> None:
    embedder = make_embedder("gguf", default_model)
    assert embedder.name == f"gguf:{default_model.name}:{default_model.sha256_prefix}"


@pytest.fixture(scope="module")
def gguf(default_model: ModelFile) -> Iterator[GGUFEmbedder]:
    embedder = GGUFEmbedder(default_model)
    yield embedder
    embedder.close()


@pytest.mark.model
def test_gguf_embeddings_are_unit_vectors_of_the_model_width(gguf: GGUFEmbedder) -> None:
    vectors = gguf.embed(["parse an ISO date", "sort a list of dictionaries"])
    assert vectors.shape == (2, 640)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


@pytest.mark.model
def test_gguf_puts_a_paraphrase_closer_than_another_task(gguf: GGUFEmbedder) -> None:
    vectors = gguf.embed(
        [
            "parse an ISO date",
            "parse a date string in ISO 8601 format",
            "sort a list of dictionaries",
        ]
    )
    assert _cosine(vectors, 0, 1) > _cosine(vectors, 0, 2)


@pytest.mark.model
def test_gguf_truncates_text_longer_than_its_context(gguf: GGUFEmbedder) -> None:
    assert gguf.embed(["word " * 1000]).shape == (1, 640)


@pytest.mark.model
def test_a_store_with_gguf_vectors_finds_the_matching_episode(
    gguf: GGUFEmbedder, tmp_path: Path
) -> None:
    store = EpisodeStore.open(tmp_path / "memory", gguf)
    store.add_many(
        [
            make_episode("dates", task="Parse an ISO 8601 date string into a datetime."),
            make_episode("sort", task="Sort a list of dictionaries by a key."),
            make_episode("csv", task="Read a CSV file and return its rows."),
        ]
    )
    schema = store.schema()
    assert schema is not None
    assert embedding_dim(schema) == 640
    assert store.search("parse a date in ISO format", k=1)[0].episode.id == "dates"
