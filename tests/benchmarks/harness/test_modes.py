"""The benchmark settings of each mode and what keys their caches."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.harness.cache import settings_hash
from benchmarks.harness.modes import (
    MODES,
    SAMPLE_TEMPERATURE,
    Mode,
    benchmark_settings,
    pick_key,
    relevant_settings,
)


@pytest.mark.parametrize("mode", MODES)
def test_sabs_is_on_only_for_the_sabs_and_loop_modes(mode: Mode) -> None:
    assert benchmark_settings(mode).sabs.enabled == (mode in ("sabs", "loop"))


def test_the_loop_retrieves_no_past_episodes() -> None:
    assert benchmark_settings("loop").memory.retrieve_k == 0


def test_extra_stops_follow_the_shipped_ones() -> None:
    shipped = benchmark_settings("greedy").decoding.stop_sequences
    assert benchmark_settings("greedy", extra_stops=("\n@",)).decoding.stop_sequences == (
        *shipped,
        "\n@",
    )


def test_the_entropy_threshold_changes_the_cache_key() -> None:
    low = relevant_settings("beams", benchmark_settings("beams", entropy_threshold=0.5))
    high = relevant_settings("beams", benchmark_settings("beams", entropy_threshold=3.0))
    assert settings_hash(low) != settings_hash(high)


def test_the_sabs_settings_key_only_the_modes_that_use_them() -> None:
    assert "sabs" not in relevant_settings("beams", benchmark_settings("beams"))
    assert "sabs" in relevant_settings("sabs", benchmark_settings("sabs"))


def test_a_config_file_changes_the_settings_and_the_cache_key(tmp_path: Path) -> None:
    config = tmp_path / "lp.yaml"
    config.write_text("decoding:\n  length_penalty: 0.0\n", encoding="utf-8")
    tuned = benchmark_settings("beams", config_file=config)
    assert tuned.decoding.length_penalty == 0.0
    shipped = relevant_settings("beams", benchmark_settings("beams"))
    assert settings_hash(relevant_settings("beams", tuned)) != settings_hash(shipped)



def test_only_the_samples_mode_samples() -> None:
    assert {m: benchmark_settings(m).decoding.temperature for m in MODES} == {
        m: SAMPLE_TEMPERATURE if m == "samples" else 0.0 for m in MODES
    }


def test_a_samples_pick_prefers_clean_then_fewer_findings_then_likelihood_then_the_first() -> None:
    def draw(clean: bool, errors: int, score: float) -> dict[str, object]:
        return {"clean": clean, "errors": errors, "findings": errors, "completeness": 1.0,
                "score": score}

    draws = [draw(False, 0, -0.1), draw(True, 1, -0.9), draw(True, 0, -0.5), draw(True, 0, -0.5)]
    assert max(range(len(draws)), key=lambda i: pick_key(draws[i], i)) == 2
