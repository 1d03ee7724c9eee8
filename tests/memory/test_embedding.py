"""Offline embedders: the hashing fallback and the real MiniLM model on onnxruntime."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from config.loader import load_settings
from memory.embedding import HashingEmbedder, MiniLMEmbedder, make_embedder
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
    assert isinstance(make_embedder("hash"), HashingEmbedder)


def test_the_default_embedder_is_minilm_whatever_model_generates() -> None:
    embedder = make_embedder(load_settings(environ={}).memory.embedder)
    assert isinstance(embedder, MiniLMEmbedder)
    assert embedder.name == "minilm-l6-v2-int8"


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_minilm_embeddings_are_unit_vectors_of_384_dimensions(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["parse an ISO date", "sort a list of dictionaries"])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_minilm_does_not_depend_on_the_batch(minilm: MiniLMEmbedder) -> None:
    alone = minilm.embed(["read a csv file"])[0]
    padded = minilm.embed(["read a csv file", "a much longer text that forces padding " * 4])[0]
    np.testing.assert_allclose(alone, padded, atol=1e-5)


def test_minilm_truncates_long_text(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed(["word " * 2000]).shape == (1, 384)


def test_minilm_finds_the_paraphrased_task_in_the_labelled_set(minilm: MiniLMEmbedder) -> None:
    data = json.loads((REPO / "tests" / "data" / "retrieval.json").read_text(encoding="utf-8"))
    ids = [c["id"] for c in data["corpus"]]
    corpus = minilm.embed([c["task"] for c in data["corpus"]])
    paraphrases = [q for q in data["queries"] if q["match"]]
    best = (minilm.embed([q["query"] for q in paraphrases]) @ corpus.T).argmax(axis=1)
    found = sum(ids[i] == q["match"] for i, q in zip(best, paraphrases, strict=True))
    assert found / len(paraphrases) >= 0.9  # measured 28 of 30 (benchmarks/retrieval.py)


def test_a_store_with_minilm_vectors_finds_the_matching_episode(
    minilm: MiniLMEmbedder, tmp_path: Path
) -> None:
    store = EpisodeStore.open(tmp_path / "memory", minilm)
    store.add_many(
        [
            make_episode("dates", task="Parse an ISO 8601 date string into a datetime."),
            make_episode("sort", task="Sort a list of dictionaries by a key."),
            make_episode("csv", task="Read a CSV file and return its rows."),
        ]
    )
    schema = store.schema()
    assert schema is not None
    assert embedding_dim(schema) == 384
    assert store.search("turn a YYYY-MM-DD text into a date", k=1)[0].episode.id == "dates"
