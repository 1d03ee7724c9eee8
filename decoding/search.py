"""The entropy-gated beam search over shared KV-cache sequences.

Each step reads the next-token distribution of every live beam. A confident
beam *flows* (one token: greedy at temperature 0, else sampled); an uncertain
one (entropy at or above the threshold, or varentropy above its own) *branches*
into its best alternatives (:mod:`decoding.selection`). At most ``beam_width``
beams survive by score; children of a beam fork its llama.cpp sequence (the
prompt's KV cells stay shared), pruned beams free theirs, and one batched decode
then advances every survivor by its pending token.

Beams are paid for only while the choice is open: beams whose text rejoins are
merged, candidates far below the best are pruned, and with ``commit_after`` the
search keeps only the best beam once that many steps have passed since it
branched (a short lookahead that ranks the alternatives and commits one).

With ``independent`` the search draws samples instead: the prompt's first
distribution is sampled ``beam_width`` times, each draw starts its own beam
(a fork of the prompt's sequence), and the beams never branch, compete, merge
or backtrack: one batched decode per step advances them all, which on a GPU
costs about what one does.

Rewinding is truncation: a beam returns to an earlier length of its own token
list and its sequence is cut there (``llama_memory_seq_rm``). A beam whose
recent tokens collapse in probability backtracks to its last statement
boundary and bans the token it had there.

A security controller (SABS) that finds an unsafe new statement rewinds the
beam to the name that made the unsafe choice (or where the safe-alternative
table says the safe spelling parts from it: :func:`decoding.steering.steer_point`;
when it cannot say where, to the statement's start). The beam then may not
spell that name again until the statement ends, under any tokenization
(:mod:`decoding.spellings`), and the tokens that begin the safe spelling get a
logit bonus (the controller's ``safe_boost``). When the rewritten statement is
whole it is judged again, whatever the controller's budget: it must be safe,
parse, and use no name the code binds nowhere (``pickleloads(data)``), else it
is rewound again. Once its rewinds are spent the beam fails, cut back to the
last statement boundary where its code parses (or to nothing); when every beam
failed, the search returns the best of them and tells the controller why
(:meth:`SecurityHook.refuse`: the rule and the construct).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from analysis.syntax import SyntaxTracker
from decoding.beam import Beam, BeamState, NameBan
from decoding.entropy import EntropyUnit
from decoding.result import BeamText, BranchEvent, GenerationResult, GenerationStats, StopReason
from decoding.selection import Candidate, Proposer, select
from decoding.sequence_model import SequenceModel, StepInput
from decoding.steering import (
    SYNTAX_RULE,
    UNDEFINED_RULE,
    SteerPoint,
    choice_offset,
    complete,
    line_of,
    statement_start,
    steer_point,
)
from decoding.stops import stop_sequence_at, top_level_end

log = logging.getLogger(__name__)

_FIRST_NAME = re.compile(r"[A-Za-z_]\w*")


def _first_code_line(text: str) -> str:
    """The first line of ``text`` that is neither blank nor a comment ("" if none)."""
    return next((s for line in text.splitlines() if (s := line.strip()) and s[0] != "#"), "")

ProgressCallback = Callable[[GenerationStats], None]


class SecurityDecision(Protocol):
    """What a security controller answers for one check."""

    @property
    def checked(self) -> bool:
        """Whether the code was analysed (a skipped check changes nothing)."""
        ...

    @property
    def penalty_delta(self) -> float:
        """Security penalty added to the beam by this check."""
        ...

    @property
    def unsafe_line(self) -> int | None:
        """The first line (1-based, in the code checked) of a new unsafe statement."""
        ...

    @property
    def unsafe_col(self) -> int | None:
        """The 1-based column on ``unsafe_line`` where the unsafe construct starts, if known."""
        ...

    @property
    def unsafe_rule(self) -> str | None:
        """The rule that made the statement unsafe: a security rule id, ``SYNTAX_RULE`` or
        ``UNDEFINED_RULE``."""
        ...


class SecurityHook(Protocol):
    """A controller the search consults when a beam ends a statement (SABS implements it)."""

    @property
    def safe_boost(self) -> float:
        """The logit bonus of the tokens that begin a safe spelling after a rewind (0: none)."""
        ...

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
        prompt_lines: int = 0,
        force: bool = False,
        rewritten: tuple[int, int, int] | None = None,
    ) -> SecurityDecision:
        """Judge the beam's code so far (``final``: the beam has finished; ``force``: a
        rewritten statement is whole; judge both whatever the budget). ``rewritten`` is
        where the rewrite began (1-based line, 0-based UTF-8 column) and the last line of its
        statement: a name used there that the code binds nowhere makes it unsafe too."""
        ...

    def fork(self, parent_id: int, child_id: int) -> None:
        """A child beam was branched off ``parent_id``."""
        ...

    def rewind(self, gen_id: str, beam_id: int, from_line: int) -> float:
        """The beam lost its code from ``from_line`` on; return its remaining penalty."""
        ...

    def forget(self, beam_id: int) -> None:
        """The beam is gone (pruned, finished or failed)."""
        ...

    def refuse(self, gen_id: str, reason: str) -> None:
        """No beam was left safe; ``reason`` names the rule and the construct that cut the code
        the search returns."""
        ...


@dataclass(frozen=True)
class SearchConfig:
    """Everything one search run needs, resolved (the threshold is a number here).

    The defaults are a plain search with no product policy, for callers that
    set only what they need: no stop sequences and no top-level stop, no
    commit lookahead, no security weight. They are deliberately not derived
    from the settings: the search's tests and the generator's calibration
    probe (one greedy beam run to its token limit, ``Generator._calibrate``)
    rely on them, and the tests must not change when the product is retuned
    (a wider default beam would exceed their toy model's sequences). The
    product's defaults live in ``config.settings`` (``DecodingSettings``,
    ``SabsSettings``, ``ModelSettings.seed``), and ``Generator`` passes every
    one of them for each search it runs, so none of these defaults reaches a
    generation (only the probe). Several coincide with the settings' today;
    the threshold does not (2.0 nats here, the settings' value before
    measurement set 1.0). ``collapse_*`` and ``max_backtracks`` have no
    setting: they are the search's own.
    """

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
    max_rewinds: int = 3  # per beam, for unsafe statements
    commit_after: int = 0  # steps after a branch at which only the best beam goes on (0: never)
    log_every: int = 0
    prune_margin: float = 1.0  # drop candidates this far below the best score
    collapse_logprob: float = -3.0  # mean log-prob per token since a boundary that means collapse
    collapse_min_tokens: int = 6
    max_backtracks: int = 2  # per beam
    independent: bool = False  # beam_width independent samples instead of a search

    @property
    def is_plain_greedy(self) -> bool:
        """One beam at temperature 0: the search must equal greedy decoding, so never backtrack."""
        return self.beam_width == 1 and self.temperature == 0.0


class BeamSearch:
    """One generation: a beam search over the sequences of ``model``."""

    def __init__(
        self,
        model: SequenceModel,
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
        self._cfg = config
        self._controller = controller
        self._on_progress = on_progress
        self._proposer = Proposer(
            model,
            config,
            np.random.default_rng(config.seed),
            safe_boost=controller.safe_boost if controller is not None else 0.0,
        )
        self._gen_id = uuid.uuid4().hex[:12]
        self._stats = GenerationStats(entropy_threshold=config.entropy_threshold)
        self._trace: list[BranchEvent] = []
        self._active: list[Beam] = []
        self._finished: list[Beam] = []
        self._failed: list[Beam] = []
        self._next_beam_id = 0
        self._step = 0
        self._last_branch = 0
        self._code_prefix = ""
        self._prompt_lines = 0

    @property
    def entropies(self) -> list[float]:
        """The entropy of every distribution read so far (for threshold calibration)."""
        return self._proposer.entropies

    def run(
        self,
        prompt_tokens: Sequence[int],
        *,
        code_prefix: str = "",
        avoid: Sequence[str] = (),
    ) -> GenerationResult:
        """Generate from ``prompt_tokens``; ``code_prefix`` is the code the completion continues.

        ``avoid`` holds earlier completions to part from: the first name each wrote may not
        begin the first statement, under any spelling (a name ban, as SABS's), so no beam or
        sample starts the way a failed answer did."""
        started = time.perf_counter()
        self._code_prefix = code_prefix
        self._prompt_lines = code_prefix.count("\n")
        self._stats.prompt_tokens = len(prompt_tokens)
        origin = SyntaxTracker()
        origin.feed(code_prefix)
        self._model.decode_prompt(prompt_tokens, seq_id=0)
        root = Beam(self._new_beam_id(), 0, list(prompt_tokens), len(prompt_tokens), origin)
        firsts = {m.group() for text in avoid if (m := _FIRST_NAME.search(_first_code_line(text)))}
        root.name_bans = tuple(NameBan(name, len(prompt_tokens)) for name in sorted(firsts))
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
        self._stats.beam_steps += len(self._active)
        candidates: list[Candidate] = []
        independent = self._cfg.independent
        may_branch = not independent and not (self._cfg.commit_after and len(self._active) > 1)
        draws = self._cfg.beam_width if independent and self._step == 1 else 1
        for beam in self._active:
            proposal = self._proposer.propose(beam, may_branch=may_branch, draws=draws)
            if proposal.branch is not None:
                self._record_branch(proposal.branch)
            candidates.extend(proposal.candidates)
        if independent:
            chosen = candidates
        else:
            chosen = select(
                candidates,
                capacity=self._cfg.beam_width - len(self._finished),
                finished=[self._score(b) for b in self._finished],
                margin=self._cfg.prune_margin,
            )
        self._stats.prunes += len(candidates) - len(chosen)
        grown = self._grow(chosen)
        survivors = grown if independent else self._merge_rejoined(grown)
        for beam in survivors:
            if beam.state is BeamState.ACTIVE and beam.tracker.at_boundary:
                beam.mark()
            self._consult(beam)
        for beam in survivors:
            if beam.state is not BeamState.ACTIVE:
                self._model.free(beam.seq_id)
        self._active = [b for b in survivors if b.state is BeamState.ACTIVE]
        self._commit()
        for beam in self._active:
            self._maybe_backtrack(beam)
        self._stats.steps = self._step
        self._decode_pending()

    def _record_branch(self, event: BranchEvent) -> None:
        self._stats.branches += 1
        self._last_branch = self._step
        self._trace.append(replace(event, step=self._step))

    def _grow(self, chosen: list[Candidate]) -> list[Beam]:
        """Turn chosen candidates into beams: fork children, free pruned parents, end the done."""
        by_parent: dict[int, list[Candidate]] = {}
        for candidate in chosen:
            by_parent.setdefault(candidate.parent.beam_id, []).append(candidate)
        for parent in self._active:
            if parent.beam_id not in by_parent:
                self._retire(parent, BeamState.PRUNED)
                self._model.free(parent.seq_id)
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

    def _take(self, beam: Beam, candidate: Candidate) -> Beam:
        """Append the candidate's token to ``beam`` and finish it if that ends it."""
        if self._model.is_end(candidate.token):
            beam.log_prob += candidate.log_prob
            self._finish(beam, "eos")
            return beam
        before = len(beam.text.text)
        beam.append(candidate.token, candidate.log_prob, self._model.piece(candidate.token))
        stop_at = self._find_stop(beam, before)
        if stop_at is not None:
            beam.final_text = beam.text.text[:stop_at]
            self._finish(beam, "stop")
        elif beam.n_generated >= self._cfg.max_tokens:
            self._finish(beam, "max_tokens")
        return beam

    def _find_stop(self, beam: Beam, before: int) -> int | None:
        text = beam.text.text
        hits = [stop_sequence_at(text, self._cfg.stop_sequences, before, lead=self._code_prefix)]
        if self._cfg.stop_at_top_level:
            starts_a_line = not self._code_prefix or self._code_prefix.endswith("\n")
            hits.append(top_level_end(text, beam.line_starts, starts_a_line=starts_a_line))
        return min((h for h in hits if h is not None), default=None)

    def _merge_rejoined(self, beams: list[Beam]) -> list[Beam]:
        """Of live beams whose text has become the same, keep the best (their futures agree)."""
        best: dict[str, Beam] = {}
        for beam in beams:
            if beam.state is not BeamState.ACTIVE:
                continue
            other = best.get(beam.text.text)
            if other is None:
                best[beam.text.text] = beam
                continue
            loser = min(other, beam, key=self._score)
            best[beam.text.text] = beam if loser is other else other
            self._retire(loser, BeamState.PRUNED)
            self._model.free(loser.seq_id)
            self._stats.merges += 1
        return [b for b in beams if b.state is not BeamState.PRUNED]

    def _commit(self) -> None:
        """Keep only the best live beam once ``commit_after`` steps have passed since a branch."""
        if (
            not self._cfg.commit_after
            or self._cfg.independent
            or len(self._active) < 2
            or self._step - self._last_branch < self._cfg.commit_after
        ):
            return
        best = max(self._active, key=self._score)
        for beam in self._active:
            if beam is not best:
                self._retire(beam, BeamState.PRUNED)
                self._model.free(beam.seq_id)
        self._active = [best]
        self._stats.commits += 1

    def _consult(self, beam: Beam) -> None:
        """Ask the security controller about a beam that just ended a statement or finished."""
        if self._controller is None:
            return
        finished = beam.state is BeamState.FINISHED
        if not (finished or beam.last_boundaries):
            return
        code = self._code_prefix + beam.result_text
        rewritten = self._rewritten(beam, code, finished=finished)
        decision = self._controller.check(
            gen_id=self._gen_id,
            beam_id=beam.beam_id,
            step=self._step,
            position=len(beam.tokens),
            code=code,
            tokens_since_check=beam.tokens_since_check,
            at_boundary=finished or beam.tracker.at_boundary,
            final=finished,
            prompt_lines=self._prompt_lines,
            force=rewritten is not None,
            rewritten=rewritten,
        )
        beam.sec_penalty += decision.penalty_delta
        if decision.checked:
            beam.tokens_since_check = 0
        if decision.unsafe_line is not None:
            self._steer(beam, code, decision.unsafe_line, decision.unsafe_col, decision.unsafe_rule)
        elif rewritten is not None:
            beam.recheck_at = None  # the rewrite is safe, parses and names nothing unknown
            beam.cause = ""

    def _rewritten(self, beam: Beam, code: str, *, finished: bool) -> tuple[int, int, int] | None:
        """Where a rewound beam's rewrite began in ``code`` (line, UTF-8 column) and the last
        line of its statement, once that statement is whole (``None``: nothing to judge)."""
        if beam.recheck_at is None:
            return None
        start = len(self._code_prefix) + beam.text_at(beam.recheck_at)
        ends = [b.offset - beam.origin.fed for b in beam.last_boundaries]
        if finished:
            end = len(code)
        elif any(len(self._code_prefix) + e > start for e in ends):
            end = len(self._code_prefix) + min(e for e in ends if len(self._code_prefix) + e > start)
        else:
            return None
        line = line_of(code, start)
        line_start = code.rfind("\n", 0, start) + 1
        column = len(code[line_start:start].encode("utf-8"))
        return line, column, line_of(code, max(end - 1, start))

    def _steer(
        self, beam: Beam, code: str, line: int, col: int | None, rule: str | None = None
    ) -> None:
        """Rewind ``beam`` to before the unsafe choice at ``line``/``col`` and steer it from
        there, or fail it once its rewinds are spent."""
        self._stats.unsafe += 1
        prefix = len(self._code_prefix)
        point = None if col is None or rule == SYNTAX_RULE else steer_point(code, line, col, rule)
        if point is not None and rule == UNDEFINED_RULE and beam.recheck_at is not None:
            point = self._past_rewind_point(beam, code, point)
        if point is not None:
            offset = point.offset - prefix
            if rule != UNDEFINED_RULE or not beam.cause:  # a rewrite's own fault keeps its cause
                beam.cause = f"{rule} {point.construct}" if rule else point.construct
            if rule and rule not in (SYNTAX_RULE, UNDEFINED_RULE):
                kept_out = f"{rule} {point.construct}"
                if kept_out not in self._stats.steered:
                    self._stats.steered.append(kept_out)
        else:
            offset = -1 if col is None else choice_offset(code, line, col) - prefix
            beam.cause = beam.cause or f"{rule or 'unsafe'} at line {line}"
        if offset < 0:  # no column, or the construct began in the prompt: the whole statement
            offset = statement_start(code, line) - prefix
            point = None
        at = beam.first_word_token(beam.token_at_char(max(offset, 0)))
        at = min(at, len(beam.tokens) - 1) if beam.n_generated else at
        if beam in self._finished:
            self._finished.remove(beam)
        if beam.rewinds < self._cfg.max_rewinds and at < len(beam.tokens):
            beam.rewinds += 1
            self._stats.rewinds += 1
            lead = code[prefix + beam.text_at(at) : prefix + offset]
            self._rewind(beam, at)
            if point is None:
                beam.steer("", "")
            else:
                beam.steer(point.name, lead + point.boost if point.boost else "", point.drop)
            return
        cut = self._complete_cut(beam, statement_start(code, line) - prefix)
        beam.truncate(beam.token_at_char(cut - 1) + 1 if cut > 0 else beam.prompt_len)
        beam.final_text = beam.text.text[:cut]  # a token may run past the boundary
        beam.state = BeamState.FAILED
        self._failed.append(beam)
        self._stats.kills += 1

    def _past_rewind_point(self, beam: Beam, code: str, point: SteerPoint) -> SteerPoint:
        """An undefined name that began before the beam's rewind point (``pickleloads`` after a
        ban at ``loads``) is rewound at that point, banning the part written after it."""
        rewind = len(self._code_prefix) + beam.text_at(beam.recheck_at or 0)
        end = point.offset + len(point.construct)
        if not point.offset < rewind < end:
            return point
        return replace(point, offset=rewind, name=code[rewind:end])

    def _complete_cut(self, beam: Beam, before: int) -> int:
        """The longest text of ``beam``, up to the statement boundary at text offset ``before``,
        that ends at a statement boundary and parses with the code prefix (0: none does)."""
        text = beam.text.text
        for offset in sorted({o for o in [before, *beam.line_starts] if 0 < o <= before}, reverse=True):
            if complete(self._code_prefix + text[:offset]):
                return offset
        return 0

    def _maybe_backtrack(self, beam: Beam) -> None:
        """Rewind a beam whose tokens since its last boundary have collapsed in probability."""
        if (
            self._cfg.is_plain_greedy
            or self._cfg.independent
            or beam.backtracks >= self._cfg.max_backtracks
            or not beam.marks
        ):
            return
        mark = beam.marks[-1]
        since = len(beam.tokens) - mark
        if since < self._cfg.collapse_min_tokens:
            return
        if (beam.log_prob - beam.log_prob_at(mark)) / since >= self._cfg.collapse_logprob:
            return
        log.debug("beam %d collapsed after %d tokens; backtracking", beam.beam_id, since)
        beam.backtracks += 1
        self._stats.backtracks += 1
        self._rewind(beam, beam.first_word_token(mark))

    def _rewind(self, beam: Beam, at: int) -> None:
        """Cut ``beam`` and its sequence back to ``at`` tokens and ban the token it had there
        (the caller steers a SABS rewind further: :meth:`Beam.steer`)."""
        token = beam.tokens[at]
        beam.truncate(at)
        self._model.truncate(beam.seq_id, at - 1)  # the last kept token is fed again
        beam.ban(at, token)
        if self._controller is not None:
            code = self._code_prefix + beam.text.text
            line = line_of(code, len(code))
            beam.sec_penalty = self._controller.rewind(self._gen_id, beam.beam_id, line)

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
        """Mark a beam done; tell the controller when it is pruned (its sequence is the caller's)."""
        beam.state = state
        if self._controller is not None and state is BeamState.PRUNED:
            self._controller.forget(beam.beam_id)

    def _score(self, beam: Beam) -> float:
        return beam.score(
            length_penalty=self._cfg.length_penalty, security_lambda=self._cfg.security_lambda
        )

    def _new_beam_id(self) -> int:
        self._next_beam_id += 1
        return self._next_beam_id - 1

    def _result(self) -> GenerationResult:
        # A beam cut off at max_tokens is an unfinished answer: it ranks after every beam that
        # ended on its own. Length normalisation would otherwise favour long, repetitive
        # cut-off beams over short complete ones (HumanEval: BENCHMARKS.md).
        ranked = sorted(
            self._finished, key=lambda b: (b.stop_reason != "max_tokens", self._score(b)), reverse=True
        )
        if ranked:
            best = ranked[0]
            reason: StopReason = best.stop_reason or "max_tokens"
        else:
            best = max(self._failed, key=self._score)
            reason = "no_safe_beam"
            if self._controller is not None:
                self._controller.refuse(self._gen_id, best.cause or "no safe rewrite")
        self._stats.generated_tokens = best.n_generated
        return GenerationResult(
            text=best.result_text,
            tokens=tuple(best.generated),
            stop_reason=reason,
            trace=tuple(self._trace),
            stats=replace(self._stats),
            score=self._score(best),
            beams=tuple(
                BeamText(
                    b.result_text, tuple(b.generated), b.stop_reason or "max_tokens", self._score(b)
                )
                for b in ranked
            ),
        )
