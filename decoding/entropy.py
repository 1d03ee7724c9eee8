"""Uncertainty of a next-token distribution, top-k selection and sampling.

Everything works on one logits row (the full vocabulary) with a single
log-softmax; top-k uses ``np.argpartition`` so no step ever sorts the whole
vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

EntropyUnit = Literal["nats", "bits"]
FloatArray = npt.NDArray[np.floating]

_LN2 = math.log(2.0)
_BLOCK = 256  # block size for the top-k lower bound


@dataclass(frozen=True)
class Uncertainty:
    """Entropy and varentropy of one distribution, in ``unit``."""

    entropy: float
    varentropy: float
    unit: EntropyUnit


def log_softmax(logits: FloatArray, temperature: float = 1.0) -> npt.NDArray[np.float32]:
    """Return log-probabilities of ``softmax(logits / temperature)`` as a new float32 array."""
    scaled = np.asarray(logits, dtype=np.float32)
    if temperature != 1.0:
        scaled = scaled / np.float32(temperature)
    peak = scaled.max()
    total = float(np.exp(scaled - peak).sum(dtype=np.float64))
    return scaled - np.float32(peak + math.log(total))


def uncertainty(log_probs: FloatArray, unit: EntropyUnit = "nats") -> Uncertainty:
    """Entropy ``H = -sum p log p`` and varentropy ``sum p (log p + H)^2`` of a log-distribution."""
    return _moments(np.exp(log_probs), log_probs, unit)


def distribution(
    logits: FloatArray, unit: EntropyUnit = "nats"
) -> tuple[npt.NDArray[np.float32], Uncertainty]:
    """``log_softmax(logits)`` and its uncertainty, from one ``exp`` pass over the vocabulary."""
    scaled = np.asarray(logits, dtype=np.float32)
    shifted = scaled - scaled.max()
    weights = np.exp(shifted)
    total = float(weights.sum(dtype=np.float64))
    log_probs = shifted - np.float32(math.log(total))
    return log_probs, _moments(weights / np.float32(total), log_probs, unit)


def _moments(probs: FloatArray, log_probs: FloatArray, unit: EntropyUnit) -> Uncertainty:
    weighted = probs * log_probs
    entropy = -float(weighted.sum(dtype=np.float64))
    second_moment = float((weighted * log_probs).sum(dtype=np.float64))
    varentropy = max(second_moment - entropy * entropy, 0.0)
    if unit == "bits":
        return Uncertainty(entropy / _LN2, varentropy / (_LN2 * _LN2), unit)
    return Uncertainty(entropy, varentropy, unit)


def top_k(values: FloatArray, k: int) -> npt.NDArray[np.intp]:
    """Indices of the ``k`` largest values, largest first (ties broken by lower index).

    The k-th largest block maximum bounds the answer from below, so
    ``np.argpartition`` only runs on the few values above it.
    """
    n = values.shape[0]
    k = max(1, min(k, n))
    block_max = np.maximum.reduceat(values, np.arange(0, n, _BLOCK))
    if block_max.shape[0] < k:
        candidates = np.arange(n)
    else:
        floor = block_max[np.argpartition(block_max, -k)[-k]]
        candidates = np.flatnonzero(values >= floor)
    if candidates.shape[0] > k:
        candidates = candidates[np.argpartition(values[candidates], -k)[-k:]]
    order = np.lexsort((candidates, -values[candidates]))
    return candidates[order]


def argmax(values: FloatArray) -> int:
    """The index of the largest value (the first one on ties), as llama.cpp's greedy sampler picks."""
    return int(np.argmax(values))


def sample(
    logits: FloatArray,
    rng: np.random.Generator,
    *,
    temperature: float,
    k: int,
    p: float,
) -> int:
    """Draw one token from ``logits`` with temperature, top-k then top-p; greedy at temperature 0."""
    if temperature <= 0.0:
        return argmax(logits)
    candidates = top_k(logits, k)
    scaled = np.asarray(logits[candidates], dtype=np.float64) / temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    cumulative = np.cumsum(probs)
    keep = min(int(np.searchsorted(cumulative, p, side="left")) + 1, probs.shape[0])
    kept = probs[:keep] / probs[:keep].sum()
    return int(candidates[int(rng.choice(keep, p=kept))])
