"""A beam: one hypothesis of the search, living in one llama.cpp sequence.

The beam's token list (prompt included) is the single source of truth of what
its sequence holds. Between steps the last token is *pending*: the sequence's
KV cache holds ``tokens[:-1]`` and the next batched decode feeds
``tokens[-1]`` at position ``len(tokens) - 1``, after which the beam's logits
can be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from decoding.checkpoint import Checkpoint
from decoding.constraint import Boundary, ConstraintTracker
from decoding.result import StopReason
from decoding.text import IncrementalText

_MARKS_KEPT = 2  # a beam backtracks to its latest boundary; one more covers a repeat


class BeamState(StrEnum):
    """Where a beam is in its life."""

    ACTIVE = "active"
    FINISHED = "finished"
    FAILED = "failed"
    PRUNED = "pruned"


@dataclass(frozen=True)
class Mark:
    """A boundary of a beam: its checkpoint and what the beam was when it was taken.

    The beam had ``n_tokens`` tokens; the checkpoint's KV bytes hold at least
    the first ``n_tokens - 1`` of them (the last one is fed again after a rewind).
    """

    checkpoint: Checkpoint
    n_tokens: int
    log_prob: float
    sec_penalty: float
    tracker: ConstraintTracker
    text: IncrementalText


@dataclass
class Beam:
    """One hypothesis: tokens, score terms, syntax state, marks and its sequence id."""

    beam_id: int
    seq_id: int
    tokens: list[int]
    prompt_len: int
    tracker: ConstraintTracker
    text: IncrementalText = field(default_factory=IncrementalText)
    log_prob: float = 0.0
    sec_penalty: float = 0.0
    state: BeamState = BeamState.ACTIVE
    stop_reason: StopReason | None = None
    final_text: str | None = None
    marks: list[Mark] = field(default_factory=list)
    safe_mark: Mark | None = None
    tokens_since_check: int = 0
    backtracks: int = 0
    banned: dict[int, frozenset[int]] = field(default_factory=dict)
    last_boundaries: list[Boundary] = field(default_factory=list)

    @property
    def n_generated(self) -> int:
        """Tokens generated after the prompt."""
        return len(self.tokens) - self.prompt_len

    @property
    def generated(self) -> list[int]:
        """The generated tokens (prompt excluded)."""
        return self.tokens[self.prompt_len :]

    @property
    def kv_len(self) -> int:
        """Tokens the beam's sequence holds between steps (all but the pending one)."""
        return len(self.tokens) - 1

    @property
    def result_text(self) -> str:
        """The generated text, cut at a stop sequence when one ended the beam."""
        return self.final_text if self.final_text is not None else self.text.text

    def score(self, *, length_penalty: float, security_lambda: float) -> float:
        """Length-normalised log-probability minus the weighted security penalty."""
        norm = ((5 + self.n_generated) / 6) ** length_penalty
        return self.log_prob / norm - security_lambda * self.sec_penalty

    def banned_here(self) -> frozenset[int]:
        """Tokens this beam may not choose as its next token."""
        return self.banned.get(len(self.tokens), frozenset())

    def append(self, token: int, log_prob: float, piece: bytes) -> list[Boundary]:
        """Add a chosen token (pending until the next decode); return the boundaries it crossed."""
        self.tokens.append(token)
        self.log_prob += log_prob
        self.tokens_since_check += 1
        self.last_boundaries = self.tracker.feed(self.text.push(piece))
        return self.last_boundaries

    def child(self, beam_id: int, seq_id: int) -> Beam:
        """An independent copy that will live in ``seq_id`` under ``beam_id``."""
        return Beam(
            beam_id=beam_id,
            seq_id=seq_id,
            tokens=list(self.tokens),
            prompt_len=self.prompt_len,
            tracker=self.tracker.clone(),
            text=self.text.clone(),
            log_prob=self.log_prob,
            sec_penalty=self.sec_penalty,
            marks=list(self.marks),
            safe_mark=self.safe_mark,
            tokens_since_check=self.tokens_since_check,
            backtracks=self.backtracks,
            banned=dict(self.banned),
        )

    def mark(self, checkpoint: Checkpoint) -> Mark:
        """Record a boundary mark here; it replaces the previous one if only blanks lie between."""
        new = Mark(
            checkpoint,
            len(self.tokens),
            self.log_prob,
            self.sec_penalty,
            self.tracker.clone(),
            self.text.clone(),
        )
        if self.marks and self._only_blanks_since(self.marks[-1]):
            if self.safe_mark is self.marks[-1]:
                self.safe_mark = new
            self.marks[-1] = new
        else:
            self.marks = [*self.marks[-(_MARKS_KEPT - 1) :], new]
        return new

    def rewind(self, mark: Mark) -> None:
        """Return to ``mark``: tokens, score terms, syntax and text state (the KV is the caller's)."""
        position = mark.n_tokens
        self.tokens = self.tokens[:position]
        self.log_prob = mark.log_prob
        self.sec_penalty = mark.sec_penalty
        self.tracker = mark.tracker.clone()
        self.text = mark.text.clone()
        self.marks = [m for m in self.marks if m.n_tokens <= position]
        self.tokens_since_check = 0
        self.state = BeamState.ACTIVE
        self.stop_reason = None
        self.final_text = None

    def _only_blanks_since(self, mark: Mark) -> bool:
        return not self.text.text[len(mark.text.text) :].strip()
