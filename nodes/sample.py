"""The sample node: more candidates for a cycle whose own did not pass.

It draws ``verify.samples`` independent samples of the cycle's prompt at
``verify.sample_temperature``, decoded together as sequences of one llama.cpp
batch (SABS steers them as it steers the search). They are judged like the
search's own candidates (static_test, then verify). When the cycle's own code
repeats an earlier attempt, the samples may not begin as any earlier attempt
did (the first name it wrote is banned in the first statement): the model,
shown its failed answer, tends to write it again, at any temperature.
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import RunContext
from nodes.generate import cycle_prompt, decoded
from nodes.ranking import normalised
from nodes.state import RunState


def sample(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Add the samples to the cycle's candidates."""
    ctx = runtime.context
    settings = ctx.settings
    candidates = list(state.get("candidates") or [])
    if not candidates:
        raise RuntimeError("sample reached with no candidate of the cycle")
    cycle = candidates[0]["cycle"]
    prompt = cycle_prompt(state, ctx)
    ctx.progress.node_started("sample", cycle)
    controller = ctx.new_controller()
    earlier = [a["code"] for a in state.get("attempts") or []]
    repeats = normalised(candidates[0]["code"]) in {normalised(code) for code in earlier}
    prefix = prompt.code_prefix
    avoid = [code[len(prefix) :] for code in earlier if repeats and code.startswith(prefix)]
    started = time.perf_counter()
    result = ctx.generator.sample(
        prompt.text,
        settings.verify.samples,
        temperature=settings.verify.sample_temperature,
        seed=settings.model.seed * 1009 + cycle,
        code_prefix=prompt.code_prefix,
        controller=controller,
        security_lambda=settings.sabs.lambda_weight,
        max_rewinds=settings.sabs.max_rewinds,
        special_tokens=prompt.special_tokens,
        stop_sequences=prompt.stop_sequences,
        stop_at_top_level=prompt.stop_at_top_level,
        avoid=avoid,
    )
    drawn = decoded(
        ctx,
        result,
        prompt,
        controller,
        cycle=cycle,
        origin="sample",
        seconds=time.perf_counter() - started,
        known={c["code"] for c in candidates},
    )
    return {"candidates": candidates + drawn, "more": "", "sampled_cycle": cycle}
