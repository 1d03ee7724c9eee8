"""A beam: one hypothesis of the search, living in one llama.cpp sequence.

The beam's token list (prompt included) is the single source of truth of what
its sequence holds. Between steps the last token is *pending*: the sequence's
KV cache holds ``tokens[:-1]`` and the next batched decode feeds
``tokens[-1]`` at position ``len(tokens) - 1``, after which the beam's logits
can be read.

A beam can rewind to any earlier length: it keeps each generated token's
piece and log-probability, so its text, syntax state and score are rebuilt
from them, and its sequence is truncated to match (``llama_memory_seq_rm``);
nothing is ever copied out of the KV cache.

A beam that SABS rewound carries its *steer*: the names it may not write from
the rewind point until that statement ends (:class:`NameBan`, the rule of
:func:`decoding.spellings.violates`), the safe text it is nudged toward
(:class:`Boost`), and the rewind point whose rewritten statement must still be
judged whole (``recheck_at``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from analysis.syntax import Boundary, SyntaxTracker
from decoding.result import StopReason
from decoding.spellings import mentions, violates
from decoding.text import IncrementalText

_COMMENT = re.compile(r"#[^\n]*")
_MARKS_KEPT = 2  # a beam backtracks to its latest boundary; one more covers a repeat


class BeamState(StrEnum):
    """Where a beam is in its life."""

    ACTIVE = "active"
    FINISHED = "finished"
    FAILED = "failed"
    PRUNED = "pruned"


@dataclass(frozen=True)
class NameBan:
    """A name the beam may not spell from token ``position`` on, until that statement ends."""

    name: str
    position: int  # the index in ``tokens`` of the first token after the rewind point
    kept: bool = False  # a keyword the safe call lacks: held after the boost, in any form


@dataclass(frozen=True)
class Boost:
    """The text a rewound beam is steered toward, written from token ``position`` on."""

    text: str
    position: int


@dataclass
class Beam:
    """One hypothesis: tokens, score terms, syntax state, boundary marks and its sequence id.

    ``origin`` is the syntax state of the code the completion continues (the
    prompt's code prefix); ``marks`` are token counts at the latest statement
    boundaries; ``banned`` maps a position to the tokens the beam may not choose there.
    """

    beam_id: int
    seq_id: int
    tokens: list[int]
    prompt_len: int
    origin: SyntaxTracker
    tracker: SyntaxTracker = field(init=False)
    text: IncrementalText = field(default_factory=IncrementalText)
    log_prob: float = 0.0
    sec_penalty: float = 0.0
    state: BeamState = BeamState.ACTIVE
    stop_reason: StopReason | None = None
    final_text: str | None = None
    marks: list[int] = field(default_factory=list)
    tokens_since_check: int = 0
    backtracks: int = 0
    rewinds: int = 0
    banned: dict[int, frozenset[int]] = field(default_factory=dict)
    last_boundaries: list[Boundary] = field(default_factory=list)
    pieces: list[bytes] = field(default_factory=list)  # one per generated token
    log_probs: list[float] = field(default_factory=list)  # one per generated token
    ends: list[int] = field(default_factory=list)  # text length after each generated token
    line_starts: list[int] = field(default_factory=list)  # text offsets of top-level lines
    name_bans: tuple[NameBan, ...] = ()
    boost: Boost | None = None
    recheck_at: int | None = None  # a rewind point whose rewritten statement is still unjudged
    cause: str = ""

    def __post_init__(self) -> None:
        self.tracker = self.origin.clone()

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

    def ban(self, position: int, token: int) -> None:
        """Forbid ``token`` as the beam's token at ``position`` from now on."""
        self.banned[position] = self.banned.get(position, frozenset()) | {token}

    def steer(self, name: str, boost: str, drop: str = "") -> None:
        """Steer the beam from its current length on (the rewind point): ban ``name`` and
        ``drop`` ("" none) until the statement ends, boost ``boost`` ("" none), and judge the
        rewrite once whole."""
        here = len(self.tokens)
        for ban in (NameBan(name, here), NameBan(drop, here, kept=True)):
            if ban.name and ban not in self.name_bans:
                self.name_bans = (*self.name_bans, ban)
        self.boost = Boost(boost, here) if boost else None
        self.recheck_at = here

    def opening_bans(self) -> list[str]:
        """The banned names whose rewind point is here: the next token is the first after it."""
        here = len(self.tokens)
        return [ban.name for ban in self.name_bans if ban.position == here]

    def allows(self, piece: bytes) -> bool:
        """Whether taking a token of text ``piece`` next keeps every name ban."""
        return not any(
            (mentions if ban.kept else violates)(
                self.written_since(ban.position) + piece, ban.name.encode("utf-8")
            )
            for ban in self.name_bans
        )

    def boost_remaining(self) -> bytes:
        """What the beam has yet to write of its boost (b"" when none is left)."""
        if self.boost is None:
            return b""
        return self.boost.text.encode("utf-8")[len(self.written_since(self.boost.position)) :]

    def written_since(self, position: int) -> bytes:
        """The bytes of the tokens from index ``position`` on."""
        return b"".join(self.pieces[max(position - self.prompt_len, 0) :])

    def append(self, token: int, log_prob: float, piece: bytes) -> list[Boundary]:
        """Add a chosen token (pending until the next decode); return the boundaries it crossed."""
        self.tokens.append(token)
        self.pieces.append(piece)
        self.log_probs.append(log_prob)
        self.log_prob += log_prob
        self.tokens_since_check += 1
        self.last_boundaries = self._feed(piece)
        self.ends.append(len(self.text.text))
        if self.name_bans or self.boost is not None:
            self._settle_steer()
        return self.last_boundaries

    def child(self, beam_id: int, seq_id: int) -> Beam:
        """An independent copy that will live in ``seq_id`` under ``beam_id``."""
        twin = Beam(
            beam_id=beam_id,
            seq_id=seq_id,
            tokens=list(self.tokens),
            prompt_len=self.prompt_len,
            origin=self.origin,
            text=self.text.clone(),
            log_prob=self.log_prob,
            sec_penalty=self.sec_penalty,
            marks=list(self.marks),
            tokens_since_check=self.tokens_since_check,
            backtracks=self.backtracks,
            rewinds=self.rewinds,
            banned=dict(self.banned),
            pieces=list(self.pieces),
            log_probs=list(self.log_probs),
            ends=list(self.ends),
            line_starts=list(self.line_starts),
            name_bans=self.name_bans,
            boost=self.boost,
            recheck_at=self.recheck_at,
            cause=self.cause,
        )
        twin.tracker = self.tracker.clone()
        return twin

    def mark(self) -> None:
        """Record a boundary here; it replaces the previous one if only blanks lie between."""
        here = len(self.tokens)
        if self.marks and not self.text.text[self.text_at(self.marks[-1]) :].strip():
            self.marks[-1] = here
        else:
            self.marks = [*self.marks[-(_MARKS_KEPT - 1) :], here]

    def log_prob_at(self, n_tokens: int) -> float:
        """The beam's log-probability when it had ``n_tokens`` tokens."""
        return sum(self.log_probs[: n_tokens - self.prompt_len])

    def token_at_char(self, offset: int) -> int:
        """The index in ``tokens`` of the generated token that holds text character ``offset``."""
        for i, end in enumerate(self.ends):
            if end > offset:
                return self.prompt_len + i
        return len(self.tokens)

    def first_word_token(self, start: int) -> int:
        """The index of the first token at or after ``start`` whose text is not blank."""
        for i in range(max(start, self.prompt_len), len(self.tokens)):
            if self.pieces[i - self.prompt_len].strip():
                return i
        return len(self.tokens)

    def truncate(self, n_tokens: int) -> None:
        """Return to the beam it was with ``n_tokens`` tokens (the caller truncates the KV)."""
        keep = n_tokens - self.prompt_len
        if keep < 0 or n_tokens > len(self.tokens):
            raise ValueError(f"cannot rewind a beam of {len(self.tokens)} tokens to {n_tokens}")
        self.tokens = self.tokens[:n_tokens]
        self.pieces = self.pieces[:keep]
        self.log_probs = self.log_probs[:keep]
        self.ends = self.ends[:keep]
        self.log_prob = sum(self.log_probs)
        self.text = IncrementalText()
        self.tracker = self.origin.clone()
        self.line_starts = []
        for piece in self.pieces:
            self._feed(piece)
        self.marks = [m for m in self.marks if m <= n_tokens]
        self.name_bans = tuple(ban for ban in self.name_bans if ban.position <= n_tokens)
        if self.boost is not None and self.boost.position > n_tokens:
            self.boost = None
        if self.recheck_at is not None and self.recheck_at > n_tokens:
            self.recheck_at = None
        self.last_boundaries = []
        self.tokens_since_check = 0
        self.state = BeamState.ACTIVE
        self.stop_reason = None
        self.final_text = None

    def _settle_steer(self) -> None:
        """Lift what the last token ended: bans and boost whose statement is over (a line of
        comments or blanks ends none), a boost written out (with the bans of its rewind point:
        the construct is replaced) or left."""
        ended = [b.offset - self.origin.fed for b in self.last_boundaries]
        if ended:
            last = max(ended)
            self.name_bans = tuple(
                ban
                for ban in self.name_bans
                if self.text_at(ban.position) >= last
                or not _has_code(self.text.text[self.text_at(ban.position) : last])
            )
            if self.boost is not None and self.text_at(self.boost.position) < last:
                self.boost = None
        if self.boost is None:
            return
        target = self.boost.text.encode("utf-8")
        written = self.written_since(self.boost.position)
        if written.startswith(target):
            self.name_bans = tuple(
                ban for ban in self.name_bans if ban.kept or ban.position != self.boost.position
            )
            self.boost = None
        elif not target.startswith(written):
            self.boost = None

    def _feed(self, piece: bytes) -> list[Boundary]:
        boundaries = self.tracker.feed(self.text.push(piece))
        self.line_starts.extend(b.offset - self.origin.fed for b in boundaries)
        return boundaries

    def text_at(self, n_tokens: int) -> int:
        """The length of the beam's text when it had ``n_tokens`` tokens."""
        generated = n_tokens - self.prompt_len
        return self.ends[generated - 1] if generated > 0 else 0


def _has_code(text: str) -> bool:
    """Whether ``text`` holds more than comments and blanks."""
    return bool(_COMMENT.sub("", text).strip())
