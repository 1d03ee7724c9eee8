"""The SABS overhead part of the security benchmark, on the real model."""

from __future__ import annotations

import pytest

from benchmarks.security import overhead

pytestmark = pytest.mark.model


def test_the_overhead_part_times_both_searches_and_the_controller() -> None:
    result = overhead(1, 8)
    assert result["prompts"] == 1
    assert result["plain"]["decoded_tokens"] > 0
    assert result["sabs"]["decoded_tokens"] > 0
    assert 0 < result["controller_seconds"] < result["sabs"]["seconds"]
    assert result["verifier_calls_max"] >= 1
