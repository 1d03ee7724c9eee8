"""Selection over logits: what each beam proposes next, and which candidates survive.

A confident distribution proposes one token (greedy at temperature 0, else
sampled); an uncertain one (entropy at or above the threshold, or varentropy
above its own) proposes its ``branch_factor`` most likely tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from decoding.beam import Beam
from decoding.entropy import EntropyUnit, distribution, sample, top_k
from decoding.result import Alternative, BranchEvent

BANNED_LOGIT = -1e30  # finite, so entropy sums stay defined (exp underflows to exactly 0)


class _Vocabulary(Protocol):
    def logits(self, seq_id: int) -> np.ndarray: ...

    def piece(self, token: int) -> bytes: ...

    def is_end(self, token: int) -> bool: ...


class _Settings(Protocol):
    @property
    def temperature(self) -> float: ...

    @property
    def top_k(self) -> int: ...

    @property
    def top_p(self) -> float: ...

    @property
    def branch_factor(self) -> int: ...

    @property
    def entropy_threshold(self) -> float: ...

    @property
    def varentropy_threshold(self) -> float: ...

    @property
    def entropy_unit(self) -> EntropyUnit: ...

    @property
    def length_penalty(self) -> float: ...

    @property
    def security_lambda(self) -> float: ...


@dataclass(frozen=True)
class Candidate:
    """A token a beam may take next, and the score the beam would then have."""

    parent: Beam
    token: int
    log_prob: float
    score: float


@dataclass(frozen=True)
class Proposal:
    """What one beam proposes; ``branch`` describes the branch when it was uncertain."""

    candidates: list[Candidate]
    branch: BranchEvent | None = None


class Proposer:
    """Reads each beam's fresh logits and proposes its next token(s)."""

    def __init__(self, model: _Vocabulary, config: _Settings, rng: np.random.Generator) -> None:
        self._model = model
        self._cfg = config
        self._rng = rng
        self.entropies: list[float] = []

    def propose(self, beam: Beam, *, may_branch: bool = True, draws: int = 1) -> Proposal:
        """The beam's candidates; it branches only if uncertain and ``may_branch``.

        With ``draws`` above 1 (and no branch) the distribution is sampled that many
        times, one candidate per draw: the starts of independent samples.
        """
        logits = self._model.logits(beam.seq_id)
        banned = beam.banned_here()
        if banned:
            logits = logits.copy()
            logits[list(banned)] = BANNED_LOGIT
        log_probs, measure = distribution(logits, self._cfg.entropy_unit)
        self.entropies.append(measure.entropy)
        uncertain = (
            measure.entropy >= self._cfg.entropy_threshold
            or measure.varentropy > self._cfg.varentropy_threshold
        )
        if uncertain and may_branch:
            tokens = [int(t) for t in top_k(log_probs, self._cfg.branch_factor)]
            branch = BranchEvent(
                0,
                beam.beam_id,
                len(beam.tokens),
                measure.entropy,
                measure.varentropy,
                tuple(
                    Alternative(
                        t,
                        self._model.piece(t).decode("utf-8", errors="replace"),
                        float(np.exp(log_probs[t])),
                    )
                    for t in tokens
                ),
            )
            return Proposal([self._candidate(beam, t, float(log_probs[t])) for t in tokens], branch)
        tokens = [
            sample(
                logits,
                self._rng,
                temperature=self._cfg.temperature,
                k=self._cfg.top_k,
                p=self._cfg.top_p,
            )
            for _ in range(draws)
        ]
        return Proposal([self._candidate(beam, t, float(log_probs[t])) for t in tokens])

    def _candidate(self, beam: Beam, token: int, log_prob: float) -> Candidate:
        n_generated = beam.n_generated + (0 if self._model.is_end(token) else 1)
        norm = ((5 + n_generated) / 6) ** self._cfg.length_penalty
        score = (beam.log_prob + log_prob) / norm - self._cfg.security_lambda * beam.sec_penalty
        return Candidate(beam, token, log_prob, score)


def select(
    candidates: Sequence[Candidate], *, capacity: int, finished: Sequence[float], margin: float
) -> list[Candidate]:
    """The best ``capacity`` candidates within ``margin`` of the best score (finished beams'
    ``finished`` scores included)."""
    ranked = sorted(candidates, key=lambda c: -c.score)[: max(capacity, 0)]
    best = max([c.score for c in ranked] + list(finished), default=0.0)
    return [c for c in ranked if c.score >= best - margin]
