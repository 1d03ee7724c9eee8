"""Entropy, varentropy, top-k and sampling against straightforward references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from decoding.entropy import argmax, log_softmax, sample, top_k, uncertainty

VOCAB = 262_144


def reference(logits: np.ndarray) -> tuple[float, float]:
    """Entropy and varentropy in nats, computed the plain way in float64."""
    x = logits.astype(np.float64)
    p = np.exp(x - x.max())
    p /= p.sum()
    nonzero = p[p > 0]
    h = -float(np.sum(nonzero * np.log(nonzero)))
    v = float(np.sum(nonzero * (np.log(nonzero) + h) ** 2))
    return h, v


@pytest.fixture
def logits() -> np.ndarray:
    return (np.random.default_rng(3).normal(size=VOCAB) * 4).astype(np.float32)


def test_entropy_and_varentropy_match_reference(logits: np.ndarray) -> None:
    measured = uncertainty(log_softmax(logits))
    h, v = reference(logits)
    assert measured.entropy == pytest.approx(h, rel=1e-5)
    assert measured.varentropy == pytest.approx(v, rel=1e-3)


def test_peaked_distribution_has_near_zero_entropy() -> None:
    logits = np.zeros(1000, dtype=np.float32)
    logits[7] = 60.0
    measured = uncertainty(log_softmax(logits))
    assert measured.entropy < 1e-6
    assert measured.varentropy < 1e-4


def test_uniform_distribution_has_log_n_entropy_and_no_varentropy() -> None:
    measured = uncertainty(log_softmax(np.ones(1024, dtype=np.float32)))
    assert measured.entropy == pytest.approx(math.log(1024), rel=1e-5)
    assert measured.varentropy == pytest.approx(0.0, abs=1e-3)


def test_bits_are_nats_over_ln2(logits: np.ndarray) -> None:
    log_probs = log_softmax(logits)
    nats, bits = uncertainty(log_probs, "nats"), uncertainty(log_probs, "bits")
    assert bits.entropy == pytest.approx(nats.entropy / math.log(2))
    assert bits.varentropy == pytest.approx(nats.varentropy / math.log(2) ** 2)


def test_log_softmax_with_temperature_matches_reference(logits: np.ndarray) -> None:
    x = logits.astype(np.float64) / 0.7
    expected = x - x.max() - np.log(np.exp(x - x.max()).sum())
    np.testing.assert_allclose(log_softmax(logits, 0.7), expected, atol=1e-4)


@pytest.mark.parametrize("k", [1, 3, 40, 300])
def test_top_k_equals_full_sort(logits: np.ndarray, k: int) -> None:
    expected = np.argsort(-logits, kind="stable")[:k]
    np.testing.assert_array_equal(top_k(logits, k), expected)


def test_top_k_breaks_ties_by_lower_index() -> None:
    values = np.array([1.0, 5.0, 5.0, 2.0, 5.0], dtype=np.float32)
    np.testing.assert_array_equal(top_k(values, 3), [1, 2, 4])


def test_sample_at_temperature_zero_is_argmax(logits: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    assert sample(logits, rng, temperature=0.0, k=40, p=0.95) == argmax(logits)


def test_sample_with_same_seed_repeats(logits: np.ndarray) -> None:
    def draws(seed: int) -> list[int]:
        rng = np.random.default_rng(seed)
        return [sample(logits, rng, temperature=1.0, k=40, p=0.95) for _ in range(20)]

    assert draws(5) == draws(5)
    assert len(set(draws(5))) > 1


def test_sample_stays_within_top_k(logits: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    allowed = set(top_k(logits, 5).tolist())
    assert {sample(logits, rng, temperature=2.0, k=5, p=1.0) for _ in range(50)} <= allowed


def test_tiny_top_p_keeps_only_the_best_token(logits: np.ndarray) -> None:
    rng = np.random.default_rng(2)
    assert {sample(logits, rng, temperature=1.0, k=40, p=1e-9) for _ in range(10)} == {
        argmax(logits)
    }


def test_top_p_of_one_keeps_all_of_top_k(logits: np.ndarray) -> None:
    rng = np.random.default_rng(4)
    draws = {sample(logits, rng, temperature=50.0, k=3, p=1.0) for _ in range(60)}
    assert draws == set(top_k(logits, 3).tolist())


def test_top_k_on_a_short_row_returns_k_indices() -> None:
    values = np.array([0.0, 3.0, 3.0, 2.9, 0.0], dtype=np.float32)
    np.testing.assert_array_equal(top_k(values, 3), [1, 2, 3])
