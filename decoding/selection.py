"""Selection over logits: what each beam proposes next, and which candidates survive.

A confident distribution proposes one token (greedy at temperature 0, else
sampled); an uncertain one (entropy at or above the threshold, or varentropy
above its own) proposes its ``branch_factor`` most likely tokens.

A beam that SABS rewound is steered here. Its banned tokens and, right after
its rewind point, every token that would open a banned name
(:meth:`decoding.spellings.SpellingIndex.opening`) get a logit of
``BANNED_LOGIT``; the tokens that begin the rest of its boost (a safe spelling)
get ``safe_boost`` added to theirs. A token the beam would take is then checked
against its name bans as text (:meth:`decoding.beam.Beam.allows`) and, if it
breaks one, banned for this step and the choice made again. The boost only
chooses: a candidate's log-probability is the model's own (with the bans), so
a steered beam's score is not inflated against the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from decoding.beam import Beam
from decoding.entropy import EntropyUnit, Uncertainty, distribution, sample, top_k
from decoding.result import Alternative, BranchEvent
from decoding.spellings import index_for

BANNED_LOGIT = -1e30  # finite, so entropy sums stay defined (exp underflows to exactly 0)
MAX_REJECTIONS = 16  # choices made again in one step because a token broke a name ban


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
class _Choice:
    """The tokens one step chose, the log-probabilities they were chosen by and are scored
    by, and the uncertainty of the distribution they were chosen from."""

    tokens: list[int]
    scores: npt.NDArray[np.float32]
    log_probs: npt.NDArray[np.float32]
    measure: Uncertainty
    branching: bool


@dataclass(frozen=True)
class Proposal:
    """What one beam proposes; ``branch`` describes the branch when it was uncertain."""

    candidates: list[Candidate]
    branch: BranchEvent | None = None


class Proposer:
    """Reads each beam's fresh logits and proposes its next token(s).

    ``safe_boost`` is the logit bonus of the tokens that begin a rewound beam's
    safe spelling (0: no boost).
    """

    def __init__(
        self,
        model: _Vocabulary,
        config: _Settings,
        rng: np.random.Generator,
        *,
        safe_boost: float = 0.0,
    ) -> None:
        self._model = model
        self._cfg = config
        self._rng = rng
        self._safe_boost = safe_boost
        self.entropies: list[float] = []

    def propose(self, beam: Beam, *, may_branch: bool = True, draws: int = 1) -> Proposal:
        """The beam's candidates; it branches only if uncertain and ``may_branch``.

        With ``draws`` above 1 (and no branch) the distribution is sampled that many
        times, one candidate per draw: the starts of independent samples.
        """
        scoring, choosing = self._steered(beam, self._model.logits(beam.seq_id))
        choice = self._choose(scoring, choosing, may_branch=may_branch, draws=draws)
        for _ in range(MAX_REJECTIONS if beam.name_bans else 0):
            broken = sorted({t for t in choice.tokens if not beam.allows(self._model.piece(t))})
            if not broken:
                break
            if choosing is scoring:
                scoring = choosing = scoring.copy()
            scoring[broken] = BANNED_LOGIT
            choosing[broken] = BANNED_LOGIT
            choice = self._choose(scoring, choosing, may_branch=may_branch, draws=draws)
        self.entropies.append(choice.measure.entropy)
        candidates = [self._candidate(beam, t, float(choice.scores[t])) for t in choice.tokens]
        if not choice.branching:
            return Proposal(candidates)
        return Proposal(candidates, self._branch(beam, choice))

    def _choose(
        self,
        scoring: npt.NDArray[np.float32],
        choosing: npt.NDArray[np.float32],
        *,
        may_branch: bool,
        draws: int,
    ) -> _Choice:
        """The tokens chosen by ``choosing``: the best few if uncertain and ``may_branch``, else
        ``draws`` draws; with the log-probabilities of ``scoring`` to score them by."""
        log_probs, measure = distribution(choosing, self._cfg.entropy_unit)
        scores = log_probs if choosing is scoring else distribution(scoring)[0]
        uncertain = (
            measure.entropy >= self._cfg.entropy_threshold
            or measure.varentropy > self._cfg.varentropy_threshold
        )
        if uncertain and may_branch:
            tokens = [int(t) for t in top_k(log_probs, self._cfg.branch_factor)]
            return _Choice(tokens, scores, log_probs, measure, branching=True)
        tokens = [self._draw(choosing) for _ in range(draws)]
        return _Choice(tokens, scores, log_probs, measure, branching=False)

    def _steered(
        self, beam: Beam, logits: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """The logits the candidates are scored by (bans applied) and those they are chosen by
        (bans and the boost applied); the same array when there is no boost, ``logits`` itself
        when there is nothing to steer."""
        banned = beam.banned_here()
        opening = beam.opening_bans()
        remaining = beam.boost_remaining() if self._safe_boost > 0 else b""
        if not (banned or opening or remaining):
            return logits, logits
        scoring = logits.copy()
        if banned:
            scoring[list(banned)] = BANNED_LOGIT
        if not (opening or remaining):
            return scoring, scoring
        index = index_for(self._model, scoring.shape[0])
        for name in opening:
            scoring[index.opening(name)] = BANNED_LOGIT
        if not remaining:
            return scoring, scoring
        boosted = index.continuing(remaining)
        boosted = boosted[scoring[boosted] > BANNED_LOGIT]
        choosing = scoring.copy()
        choosing[boosted] += np.float32(self._safe_boost)
        return scoring, choosing

    def _draw(self, logits: npt.NDArray[np.float32]) -> int:
        return sample(
            logits, self._rng, temperature=self._cfg.temperature, k=self._cfg.top_k, p=self._cfg.top_p
        )

    def _branch(self, beam: Beam, choice: _Choice) -> BranchEvent:
        return BranchEvent(
            0,
            beam.beam_id,
            len(beam.tokens),
            choice.measure.entropy,
            choice.measure.varentropy,
            tuple(
                Alternative(
                    t,
                    self._model.piece(t).decode("utf-8", errors="replace"),
                    float(np.exp(choice.log_probs[t])),
                )
                for t in choice.tokens
            ),
        )

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
