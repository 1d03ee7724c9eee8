"""The generate node: prompt the local model and decode with the entropy-gated search (and SABS)."""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import RunContext
from nodes.prompting import Revision, choose_template, prompt_for
from nodes.state import Draft, RunState


def generate(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Produce this cycle's draft from the task, stub, past examples and the last revision."""
    ctx = runtime.context
    attempts = state.get("attempts") or []
    cycle = len(attempts) + 1
    ctx.progress.node_started("generate", cycle)
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
    prompt = prompt_for(
        template, state["task"], stub=state.get("stub"), examples=examples, revision=revision
    )
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
    stats = result.stats.to_dict()
    ctx.progress.generation(cycle, stats, final=True)
    sabs_stats = (
        {**controller.summary(), "rewinds": result.stats.rewinds, "kills": result.stats.kills}
        if controller is not None
        else {}
    )
    ctx.progress.sabs(cycle, sabs_stats)
    draft = Draft(
        cycle=cycle,
        prompt=prompt.text,
        code=prompt.code_from(result.text),
        stop_reason=result.stop_reason,
        decoding_stats=stats,
        sabs_stats=sabs_stats,
        seconds=seconds,
    )
    return {"draft": draft, "status": "running"}
