"""The episode-store benchmark on a tiny store (hashing embedder, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.memory import markdown, run_size
from memory.embedding import HashingEmbedder


# The benchmark prunes every old table version on purpose, to measure the disk it frees.
@pytest.mark.filterwarnings("ignore:optimize\\(cleanup_older_than=0\\):UserWarning")
def test_a_small_run_measures_the_products_retrieval_path(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    result = run_size(60, 5, tmp_path, embedder)
    assert result["episodes"] == 160
    assert result["embedder"] == f"hash-v1 ({embedder.dim} dimensions)"
    assert result["retrieve_examples"]["queries"] == 5
    assert set(result["retrieve_examples"]) >= {"p50_ms", "p90_ms", "p95_ms"}
    assert "retrieve_examples k=2 floor 0.4" in markdown({"60": result})
