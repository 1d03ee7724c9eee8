"""The entropy-gated beam search over shared KV-cache sequences.

Each step reads the next-token distribution of every live beam. A confident
beam *flows* (one token: greedy at temperature 0, else sampled); an uncertain
one (entropy at or above the threshold, or varentropy above its own) *branches*
into its best alternatives. At most ``beam_width`` beams survive by score;
children of a beam fork its llama.cpp sequence, pruned beams free theirs, and
one batched decode then advances every survivor by its pending token. A beam's
logits are only read after that decode: the model state is prepared for a
beam before its logits are read.

At syntactic boundaries a beam takes a KV checkpoint. A beam whose recent
tokens collapse in probability backtracks to its last boundary; an optional
security controller (SABS) can penalise or fail beams, and when every beam has
failed the best one is repaired: restored to its last safe boundary with the
token that began the unsafe statement banned there.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

import numpy as np

from decoding.beam import Beam, BeamState, Mark
from decoding.checkpoint import CheckpointStore
from decoding.constraint import ConstraintTracker
from decoding.entropy import EntropyUnit, log_softmax, sample, top_k, uncertainty
from decoding.result import (
    Alternative,
    BranchEvent,
    GenerationResult,
    GenerationStats,
    StopReason,
)
from decoding.sequence_model import SequenceModel, StepInput
from decoding.text import IncrementalText

log = logging.getLogger(__name__)

ProgressCallback = Callable[[GenerationStats], None]

BANNED_LOGIT = -1e30  # finite, so entropy sums stay defined (exp underflows to exactly 0)
_SAFE_ACTIONS = frozenset({"NO_ISSUES", "SOFT_PENALTY"})


class SecurityDecision(Protocol):
    """What a security controller answers for one check."""

    @property
    def action(self) -> Enum:
        """The decision (its name is one of SKIP_*, SOFT_PENALTY, HARD_FAIL, NO_ISSUES)."""
        ...

    @property
    def penalty_delta(self) -> float:
        """Security penalty added to the beam by this check."""
        ...

    @property
    def hard_failed(self) -> bool:
        """Whether the beam must be failed."""
        ...


class SecurityHook(Protocol):
    """A controller the search consults at boundaries (SABS implements it)."""

    def check(
        self,
        *,
        gen_id: str,
        beam_id: int,
        step: int,
        position: int,
        code: str,
        tokens_since_check: int,
        at_boundary: bool,
        final: bool = False,
    ) -> SecurityDecision:
        """Judge the beam's code so far (``final``: the beam has finished; always judge it)."""
        ...

    def fork(self, parent_id: int, child_id: int) -> None:
        """A child beam was branched off ``parent_id``."""
        ...

    def forget(self, beam_id: int) -> None:
        """The beam is gone (pruned, finished, failed for good or replaced)."""
        ...

    def record_repair(self, gen_id: str) -> None:
        """The search repaired generation ``gen_id`` after every beam failed."""
        ...


_INDENTED_LINE = re.compile(r"(?:\A|\n)[ \t]+\S")
_TOP_LEVEL_LINE = re.compile(r"\n(?=[^\s])")


def top_level_end(text: str, before: int = 0) -> int | None:
    """Where a column-0 line starts after an indented body (the newline's index), if it does.

    Only newlines at or after ``before - 1`` are considered new; the body must have started
    (some indented line) before that newline.
    """
    body = _INDENTED_LINE.search(text)
    if body is None:
        return None
    for found in _TOP_LEVEL_LINE.finditer(text, max(body.start() + 1, before - 1, 0)):
        head = text[: found.start()]
        if head.count('"""') % 2 == 0 and head.count("'''") % 2 == 0:  # not inside a docstring
            return found.start()
    return None


@dataclass(frozen=True)
class SearchConfig:
    """Everything one search run needs, resolved (the threshold is a number here)."""

    max_tokens: int = 256
    temperature: float = 0.0
    top_k: int = 40
    top_p: float = 0.95
    beam_width: int = 4
    branch_factor: int = 3
    entropy_threshold: float = 2.0
    varentropy_threshold: float = 6.0
    entropy_unit: EntropyUnit = "nats"
    length_penalty: float = 1.0
    stop_sequences: tuple[str, ...] = ()
    stop_at_top_level: bool = False  # end once an indented body is followed by a column-0 line
    seed: int = 0
    security_lambda: float = 0.0
    max_repairs: int = 3
    log_every: int = 0
    prune_margin: float = 1.0  # drop candidates this far below the best score
    collapse_logprob: float = -3.0  # mean log-prob per token since a boundary that means collapse
    collapse_min_tokens: int = 6
    max_backtracks: int = 2  # per beam

    @property
    def is_plain_greedy(self) -> bool:
        """One beam at temperature 0: the search must equal greedy decoding, so never backtrack."""
        return self.beam_width == 1 and self.temperature == 0.0


@dataclass(frozen=True)
class _Candidate:
    parent: Beam
    token: int
    log_prob: float
    score: float


class BeamSearch:
    """One generation: a beam search over the sequences of ``model``."""

    def __init__(
        self,
        model: SequenceModel,
        store: CheckpointStore,
        config: SearchConfig,
        *,
        controller: SecurityHook | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        if config.beam_width > model.n_seq_max:
            raise ValueError(
                f"beam width {config.beam_width} exceeds the model's {model.n_seq_max} sequences"
            )
        self._model = model
        self._store = store
        self._cfg = config
        self._controller = controller
        self._on_progress = on_progress
        self._rng = np.random.default_rng(config.seed)
        self._gen_id = uuid.uuid4().hex[:12]
        self._stats = GenerationStats()
        self._trace: list[BranchEvent] = []
        self._entropies: list[float] = []
        self._active: list[Beam] = []
        self._finished: list[Beam] = []
        self._failed: list[Beam] = []
        self._next_beam_id = 0
        self._step = 0
        self._code_prefix = ""
        self._root_mark: Mark | None = None

    @property
    def entropies(self) -> list[float]:
        """The entropy of every distribution read so far (for threshold calibration)."""
        return self._entropies

    def run(self, prompt_tokens: Sequence[int], *, code_prefix: str = "") -> GenerationResult:
        """Generate from ``prompt_tokens``; ``code_prefix`` is the code the completion continues."""
        started = time.perf_counter()
        self._code_prefix = code_prefix
        self._stats.prompt_tokens = len(prompt_tokens)
        self._stats.entropy_threshold = self._cfg.entropy_threshold
        tracker = ConstraintTracker()
        tracker.feed(code_prefix)
        self._model.decode_prompt(prompt_tokens, seq_id=0)
        root = Beam(self._new_beam_id(), 0, list(prompt_tokens), len(prompt_tokens), tracker)
        if self._uses_marks:
            checkpoint = self._store.save(0, len(prompt_tokens))
            self._root_mark = Mark(
                checkpoint, len(prompt_tokens), 0.0, 0.0, tracker.clone(), IncrementalText()
            )
            root.marks.append(self._root_mark)
            root.safe_mark = self._root_mark
        self._active = [root]
        while self._active:
            self._step += 1
            self._advance()
            self._stats.elapsed_s = time.perf_counter() - started
            self._stats.live_beams = len(self._active)
            if self._cfg.log_every and self._on_progress and self._step % self._cfg.log_every == 0:
                self._on_progress(self._stats)
        self._stats.elapsed_s = time.perf_counter() - started
        if self._controller is not None:
            for beam in self._finished + self._failed:
                self._controller.forget(beam.beam_id)
        return self._result()

    # ----------------------------------------------------------------- one step

    def _advance(self) -> None:
        candidates = [c for beam in self._active for c in self._expand(beam)]
        chosen = self._select(candidates)
        self._stats.prunes += len(candidates) - len(chosen)
        survivors = self._grow(chosen)
        self._checkpoint(survivors)
        for beam in survivors:
            self._consult(beam)
        self._active = [b for b in survivors if b.state is BeamState.ACTIVE]
        for beam in self._active:
            self._maybe_backtrack(beam)
        if not self._active and not self._finished:
            self._repair()
        self._store.retain(
            m.checkpoint for b in self._active + self._failed for m in self._marks_of(b)
        )
        self._stats.steps = self._step
        self._decode_pending()

    def _expand(self, beam: Beam) -> list[_Candidate]:
        """Read the beam's fresh logits and propose its next token(s)."""
        logits = self._model.logits(beam.seq_id)
        banned = beam.banned_here()
        if banned:
            logits = logits.copy()
            logits[list(banned)] = BANNED_LOGIT
        log_probs = log_softmax(logits)
        measure = uncertainty(log_probs, self._cfg.entropy_unit)
        self._entropies.append(measure.entropy)
        uncertain = (
            measure.entropy >= self._cfg.entropy_threshold
            or measure.varentropy > self._cfg.varentropy_threshold
        )
        if uncertain:
            tokens = [int(t) for t in top_k(log_probs, self._cfg.branch_factor)]
            self._record_branch(beam, tokens, log_probs, measure.entropy, measure.varentropy)
        else:
            tokens = [
                sample(
                    logits,
                    self._rng,
                    temperature=self._cfg.temperature,
                    k=self._cfg.top_k,
                    p=self._cfg.top_p,
                )
            ]
        return [self._candidate(beam, t, float(log_probs[t])) for t in tokens]

    def _candidate(self, beam: Beam, token: int, log_prob: float) -> _Candidate:
        n_generated = beam.n_generated + (0 if self._model.is_end(token) else 1)
        norm = ((5 + n_generated) / 6) ** self._cfg.length_penalty
        score = (beam.log_prob + log_prob) / norm - self._cfg.security_lambda * beam.sec_penalty
        return _Candidate(beam, token, log_prob, score)

    def _record_branch(
        self,
        beam: Beam,
        tokens: list[int],
        log_probs: np.ndarray,
        entropy: float,
        varentropy: float,
    ) -> None:
        self._stats.branches += 1
        alternatives = tuple(
            Alternative(
                t,
                self._model.piece(t).decode("utf-8", errors="replace"),
                float(np.exp(log_probs[t])),
            )
            for t in tokens
        )
        self._trace.append(
            BranchEvent(
                self._step, beam.beam_id, len(beam.tokens), entropy, varentropy, alternatives
            )
        )

    def _select(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """The best candidates that fit the remaining width and lie within the prune margin."""
        capacity = self._cfg.beam_width - len(self._finished)
        ranked = sorted(candidates, key=lambda c: -c.score)[: max(capacity, 0)]
        best = max(
            [c.score for c in ranked] + [self._score(b) for b in self._finished], default=0.0
        )
        return [c for c in ranked if c.score >= best - self._cfg.prune_margin]

    def _grow(self, chosen: list[_Candidate]) -> list[Beam]:
        """Turn chosen candidates into beams: fork children, free pruned parents, finish the done."""
        by_parent: dict[int, list[_Candidate]] = {}
        for candidate in chosen:
            by_parent.setdefault(candidate.parent.beam_id, []).append(candidate)
        for parent in self._active:
            if parent.beam_id not in by_parent:
                self._retire(parent, BeamState.PRUNED)
        held = {p.seq_id for p in self._active if p.beam_id in by_parent}
        spare = [s for s in range(self._cfg.beam_width) if s not in held]
        grown: list[Beam] = []
        for group in by_parent.values():
            parent = group[0].parent
            for extra in group[1:]:
                child = parent.child(self._new_beam_id(), spare.pop())
                self._model.fork(parent.seq_id, child.seq_id)
                if self._controller is not None:
                    self._controller.fork(parent.beam_id, child.beam_id)
                grown.append(self._take(child, extra))
            grown.append(self._take(parent, group[0]))
        return grown

    def _take(self, beam: Beam, candidate: _Candidate) -> Beam:
        """Append the candidate's token to ``beam`` and finish it if that ends it."""
        if self._model.is_end(candidate.token):
            beam.log_prob += candidate.log_prob
            self._finish(beam, "eos")
            return beam
        before = len(beam.text.text)
        beam.append(candidate.token, candidate.log_prob, self._model.piece(candidate.token))
        stop_at = self._find_stop(beam.text.text, before)
        if stop_at is not None:
            beam.final_text = beam.text.text[:stop_at]
            self._finish(beam, "stop")
        elif beam.n_generated >= self._cfg.max_tokens:
            self._finish(beam, "max_tokens")
        return beam

    def _find_stop(self, text: str, before: int) -> int | None:
        hits = []
        for stop in self._cfg.stop_sequences:
            index = text.find(stop, max(before - len(stop) + 1, 0))
            if index >= 0:
                hits.append(index)
        if self._cfg.stop_at_top_level:
            index = top_level_end(text, before)
            if index is not None:
                hits.append(index)
        return min(hits, default=None)

    @property
    def _uses_marks(self) -> bool:
        """Whether anything can rewind a beam: a controller (repairs) or a non-greedy search."""
        return self._controller is not None or not self._cfg.is_plain_greedy

    def _checkpoint(self, beams: list[Beam]) -> None:
        """Take a KV checkpoint for every live beam whose pending token leaves it at a boundary."""
        if not self._uses_marks:
            return
        for beam in beams:
            if beam.state is BeamState.ACTIVE and beam.tracker.at_boundary:
                beam.mark(self._store.save(beam.seq_id, beam.kv_len))
                self._stats.checkpoints += 1

    def _consult(self, beam: Beam) -> None:
        """Ask the security controller about a beam that just ended a statement or finished."""
        if self._controller is None or beam.state is BeamState.PRUNED:
            return
        finished = beam.state is BeamState.FINISHED
        ended_statement = any(b.kind == "newline" for b in beam.last_boundaries)
        if not (finished or ended_statement):
            return
        decision = self._controller.check(
            gen_id=self._gen_id,
            beam_id=beam.beam_id,
            step=self._step,
            position=len(beam.tokens),
            code=self._code_prefix + beam.result_text,
            tokens_since_check=beam.tokens_since_check,
            at_boundary=finished or beam.tracker.at_boundary,
            final=finished,
        )
        beam.sec_penalty += decision.penalty_delta
        if not decision.action.name.startswith("SKIP_"):
            beam.tokens_since_check = 0
        if decision.hard_failed:
            self._stats.hard_fails += 1
            if finished:
                self._finished.remove(beam)
            self._retire(beam, BeamState.FAILED)
            self._failed.append(beam)
        elif decision.action.name in _SAFE_ACTIONS and not finished and beam.marks:
            beam.safe_mark = beam.marks[-1]

    def _maybe_backtrack(self, beam: Beam) -> None:
        """Rewind a beam whose tokens since its last boundary have collapsed in probability."""
        if (
            self._cfg.is_plain_greedy
            or beam.backtracks >= self._cfg.max_backtracks
            or not beam.marks
        ):
            return
        mark = beam.marks[-1]
        since = len(beam.tokens) - mark.n_tokens
        if since < self._cfg.collapse_min_tokens:
            return
        if (beam.log_prob - mark.log_prob) / since >= self._cfg.collapse_logprob:
            return
        log.debug("beam %d collapsed after %d tokens; backtracking", beam.beam_id, since)
        self._rewind(beam, mark)
        beam.backtracks += 1
        self._stats.backtracks += 1

    def _repair(self) -> None:
        """Every beam failed: restore the best to its last safe boundary, banning what went wrong."""
        if not self._failed or self._stats.repairs >= self._cfg.max_repairs:
            return
        best = max(self._failed, key=self._score)
        self._failed.remove(best)
        mark = self._safe_mark(best)
        if self._controller is not None:
            self._controller.forget(best.beam_id)
            self._controller.record_repair(self._gen_id)
        best.beam_id = self._new_beam_id()
        best.seq_id = 0
        self._rewind(best, mark)
        if self._controller is not None:
            # The controller knows nothing of the new id: it charges again whatever the
            # restored code holds, so the beam's own total starts from zero to match.
            best.sec_penalty = 0.0
        self._active = [best]
        self._stats.repairs += 1

    def _rewind(self, beam: Beam, mark: Mark) -> None:
        """Restore ``beam`` and its sequence to ``mark``, banning the next statement's first token."""
        ban_at = next(
            (
                i
                for i in range(mark.n_tokens, len(beam.tokens))
                if self._model.piece(beam.tokens[i]).strip()
            ),
            None,
        )
        if ban_at is not None:
            position, token = ban_at, beam.tokens[ban_at]
            beam.banned[position] = beam.banned.get(position, frozenset()) | {token}
        beam.rewind(mark)
        self._store.restore(mark.checkpoint, beam.tokens[: mark.checkpoint.position], beam.seq_id)
        if mark.checkpoint.position > beam.kv_len:
            self._model.truncate(beam.seq_id, beam.kv_len)

    def _decode_pending(self) -> None:
        """One batched decode of every live beam's pending token."""
        if not self._active:
            return
        self._model.step(
            [StepInput(b.seq_id, b.tokens[-1], len(b.tokens) - 1) for b in self._active]
        )
        self._stats.tokens += len(self._active)

    # ----------------------------------------------------------------- bookkeeping

    def _finish(self, beam: Beam, reason: StopReason) -> None:
        beam.stop_reason = reason
        self._retire(beam, BeamState.FINISHED)
        self._finished.append(beam)

    def _retire(self, beam: Beam, state: BeamState) -> None:
        """Free a beam's sequence; tell the controller unless the beam may still be repaired."""
        beam.state = state
        self._model.free(beam.seq_id)
        if self._controller is not None and state is BeamState.PRUNED:
            self._controller.forget(beam.beam_id)

    def _safe_mark(self, beam: Beam) -> Mark:
        mark = beam.safe_mark or self._root_mark
        if mark is None:
            raise RuntimeError("the search has not started")
        return mark

    def _marks_of(self, beam: Beam) -> list[Mark]:
        marks = list(beam.marks[-2:])
        if beam.safe_mark is not None:
            marks.append(beam.safe_mark)
        return marks

    def _score(self, beam: Beam) -> float:
        return beam.score(
            length_penalty=self._cfg.length_penalty, security_lambda=self._cfg.security_lambda
        )

    def _new_beam_id(self) -> int:
        self._next_beam_id += 1
        return self._next_beam_id - 1

    def _result(self) -> GenerationResult:
        store = self._store.stats()
        self._stats.checkpoint_bytes = store.bytes_saved
        self._stats.checkpoint_bytes_spilled = store.bytes_spilled_total
        self._stats.checkpoint_spills = store.spills
        self._stats.checkpoint_restores = store.restores
        if self._finished:
            # A beam cut off at max_tokens is an unfinished answer: it wins only when no beam
            # ended on its own. Length normalisation would otherwise favour long, repetitive
            # cut-off beams over short complete ones (HumanEval: BENCHMARKS.md).
            complete = [b for b in self._finished if b.stop_reason != "max_tokens"]
            best = max(complete or self._finished, key=self._score)
            text, tokens = best.result_text, best.generated
            reason: StopReason = best.stop_reason or "max_tokens"
        else:
            best = max(self._failed, key=self._score)
            mark = self._safe_mark(best)
            text, tokens, reason = (
                mark.text.text,
                best.tokens[best.prompt_len : mark.n_tokens],
                "no_safe_beam",
            )
        self._stats.generated_tokens = len(tokens)
        return GenerationResult(
            text=text,
            tokens=tuple(tokens),
            stop_reason=reason,
            trace=tuple(self._trace),
            stats=replace(self._stats),
            score=self._score(best),
        )
