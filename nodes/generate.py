"""The generate node: prompt the local model and decode with the entropy-gated search (and SABS).

Every beam the search finishes becomes a candidate of the cycle; verify chooses
among them (and among samples, if the cycle draws some).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from langgraph.runtime import Runtime

from analysis.names import with_stdlib_imports
from decoding.result import GenerationResult
from nodes.context import RunContext
from nodes.prompting import Prompt, Revision, choose_template, prompt_for
from nodes.state import Candidate, Origin, RunState

if TYPE_CHECKING:
    from decoding.sabs import SecurityController


def cycle_prompt(state: RunState, ctx: RunContext) -> Prompt:
    """The prompt of the coming cycle: the task, stub, past examples and the last revision."""
    attempts = state.get("attempts") or []
    examples: list[tuple[str, str]] = []
    if ctx.store is not None and ctx.settings.memory.retrieve_k > 0:
        past = ctx.store.retrieve_examples(
            state["task"],
            ctx.settings.memory.retrieve_k,
            include_clean=ctx.settings.memory.examples_from == "approved_or_clean",
            min_similarity=ctx.settings.memory.min_similarity,
        )
        examples = [(e.task, e.final_code) for e in past if e.id != state["run_id"]]
    revision = (
        Revision(
            code=attempts[-1]["code"],
            findings=state.get("feedback", ""),
            review=state.get("review", ""),
        )
        if attempts
        else None
    )
    template = choose_template(
        ctx.settings.model.use_chat_template, ctx.generator.chat_template(), ctx.model_file.name
    )
    return prompt_for(
        template, state["task"], stub=state.get("stub"), examples=examples, revision=revision
    )


def candidates_from(
    result: GenerationResult,
    prompt: Prompt,
    *,
    cycle: int,
    origin: Origin,
    seconds: float,
    sabs_stats: dict[str, Any],
    known: set[str],
) -> list[Candidate]:
    """One unjudged candidate per finished beam (or the failed best one) whose code is not in
    ``known``; ``known`` gains their codes. A standard-library module the code uses but never
    imports is imported (the model writes the stub's body and cannot reach its imports)."""
    beams = [(b.text, b.stop_reason, b.score) for b in result.beams] or [
        (result.text, result.stop_reason, result.score)
    ]
    stats = result.stats.to_dict()
    found: list[Candidate] = []
    for text, stop_reason, score in beams:
        code = with_stdlib_imports(prompt.code_from(text))
        if code in known:
            continue
        known.add(code)
        found.append(
            Candidate(
                cycle=cycle,
                prompt=prompt.text,
                code=code,
                stop_reason=stop_reason,
                decoding_stats=stats,
                sabs_stats=sabs_stats,
                origin=origin,
                score=score,
                seconds=seconds,
                judged=None,
                verdict=None,
                verified_checks=0,
                verify_seconds=0.0,
            )
        )
    return found


def decoded(
    ctx: RunContext,
    result: GenerationResult,
    prompt: Prompt,
    controller: SecurityController | None,
    *,
    cycle: int,
    origin: Origin,
    seconds: float,
    known: set[str],
) -> list[Candidate]:
    """Report a finished generation (and its SABS decisions); its new candidates."""
    ctx.progress.generation(cycle, result.stats.to_dict(), final=True)
    sabs_stats = (
        {**controller.summary(), "rewinds": result.stats.rewinds, "kills": result.stats.kills}
        if controller is not None
        else {}
    )
    ctx.progress.sabs(cycle, sabs_stats)
    return candidates_from(
        result,
        prompt,
        cycle=cycle,
        origin=origin,
        seconds=seconds,
        sabs_stats=sabs_stats,
        known=known,
    )


def generate(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Produce this cycle's candidates from the task, stub, past examples and the last revision."""
    ctx = runtime.context
    cycle = len(state.get("attempts") or []) + 1
    ctx.progress.node_started("generate", cycle)
    prompt = cycle_prompt(state, ctx)
    controller = ctx.new_controller()
    start = time.perf_counter()
    result = ctx.generator.generate(
        prompt.text,
        code_prefix=prompt.code_prefix,
        controller=controller,
        security_lambda=ctx.settings.sabs.lambda_weight,
        max_rewinds=ctx.settings.sabs.max_rewinds,
        on_progress=lambda stats: ctx.progress.generation(cycle, stats.to_dict()),
        special_tokens=prompt.special_tokens,
        stop_sequences=prompt.stop_sequences,
        stop_at_top_level=prompt.stop_at_top_level,
    )
    seconds = time.perf_counter() - start
    candidates = decoded(
        ctx, result, prompt, controller, cycle=cycle, origin="search", seconds=seconds, known=set()
    )
    return {"candidates": candidates, "more": "", "status": "running"}
