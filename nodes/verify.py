"""The verify node: run the cycle's candidates against the run's checks in the sandbox, keep
the best, and decide whether the cycle needs more before it ends.

The sandbox is CPython on WASI under wasmtime, with no files, network or
processes and bounded fuel, memory and time: generated code never runs on the
host. Without a sandbox (``verify.enabled`` off) or without checks, the
candidates are ranked by the static tests alone.

The best candidate is *accepted* (the run may stop) when it is clean, no check
of the task or the user failed, and, for a task with no check of its own, it
crashed on none of the model's tests (``nodes.ranking.crashes``). A cycle asks for more
(``RunState.more``) before it ends:

- ``tests``: the model's tests, once per run, when the task has no example or
  test of its own (its tests are then the only way to see code crash), or
  before samples are drawn (they rank them by agreement);
- ``samples``: when the best candidate is not accepted, the cycle has not
  sampled yet, and either it may (``verify.sample_cycles``, with a sandbox to
  judge them) or its code repeats an earlier attempt: a run never hands back
  the same failed answer as if it were new.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from nodes.context import RunContext
from nodes.ranking import (
    VERDICT_ORIGINS,
    check_results,
    crashes,
    normalised,
    rank,
    verdict_of,
)
from nodes.state import Attempt, Candidate, RunState
from verify.checks import Suite


def verify(state: RunState, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Run the checks on every candidate not yet run on all of them; choose; maybe sample."""
    candidates = list(state.get("candidates") or [])
    if not candidates:
        raise RuntimeError("verify reached with no candidate")
    ctx = runtime.context
    cycle = candidates[0]["cycle"]
    suite = Suite.from_dict(state["suite"]) if state.get("suite") else Suite()
    if ctx.sandbox is not None and suite.checks:
        ctx.progress.node_started("verify", cycle)
        candidates = _run_checks(candidates, suite, ctx)
    settings = ctx.settings.verify
    wants_tests = (
        ctx.sandbox is not None and settings.model_tests > 0 and not state.get("tests_written")
    )
    if wants_tests and not suite.of(*VERDICT_ORIGINS).checks:
        return {"candidates": candidates, "more": "tests"}
    attempts = state.get("attempts") or []
    order = rank(candidates, suite, seen=[a["code"] for a in attempts])
    best = candidates[order[0]]
    judged = best["judged"]
    if judged is None:
        raise RuntimeError("verify reached with a candidate the static tests did not judge")
    results = check_results(suite, best["verdict"])
    passed = verdict_of(results)
    stop_reason, sabs_stats = still_cut(best, attempts)
    accepted = (
        judged["clean"]
        and passed is not False
        and not crashes(results, best["code"])
        and stop_reason != "no_safe_beam"  # cut before an unsafe statement
    )
    repeated = normalised(best["code"]) in {normalised(a["code"]) for a in attempts}
    ctx.progress.checks(cycle, [r.to_dict() for r in results], candidates=len(candidates))
    sampled = state.get("sampled_cycle", 0) == cycle
    may_sample = ctx.sandbox is not None and cycle <= settings.sample_cycles
    if not accepted and not sampled and settings.samples > 0 and (may_sample or repeated):
        return {"candidates": candidates, "more": "tests" if wants_tests else "samples"}
    attempt = Attempt(
        cycle=cycle,
        prompt=best["prompt"],
        code=best["code"],
        stop_reason=stop_reason,
        decoding_stats=best["decoding_stats"],
        sabs_stats=sabs_stats,
        findings=judged["findings"],
        completeness=judged["completeness"],
        clean=judged["clean"],
        tool_seconds=judged["tool_seconds"],
        generate_seconds=sum({c["origin"]: c["seconds"] for c in candidates}.values()),
        passed=passed,
        checks=[r.to_dict() for r in results],
        accepted=accepted,
        candidates=len(candidates),
        origin=best["origin"],
        repeated=repeated,
        verify_seconds=sum(c["verify_seconds"] for c in candidates),
    )
    return {"candidates": [], "more": "", "attempts": [attempt]}


def still_cut(candidate: Candidate, attempts: Sequence[Attempt]) -> tuple[str, dict[str, Any]]:
    """The candidate's stop reason and SABS stats, where code an earlier cycle was cut to before
    an unsafe statement stays cut there: the same code ending on its own this time (the model
    closed the block once the construct was banned) is no less hollow."""
    stop_reason, sabs_stats = candidate["stop_reason"], dict(candidate["sabs_stats"])
    if stop_reason == "no_safe_beam":
        return stop_reason, sabs_stats
    code = normalised(candidate["code"])
    for attempt in attempts:
        if attempt["stop_reason"] == "no_safe_beam" and normalised(attempt["code"]) == code:
            if not sabs_stats.get("refusal"):
                sabs_stats["refusal"] = (attempt.get("sabs_stats") or {}).get("refusal")
            return "no_safe_beam", sabs_stats
    return stop_reason, sabs_stats


def _run_checks(candidates: list[Candidate], suite: Suite, ctx: RunContext) -> list[Candidate]:
    """Each candidate with a verdict over every check of ``suite`` (identical code runs once)."""
    sandbox = ctx.sandbox
    if sandbox is None:
        raise RuntimeError("checks cannot run without a sandbox")
    sources = [check.source for check in suite.checks]
    known: dict[str, dict[str, Any]] = {
        c["code"]: c["verdict"]
        for c in candidates
        if c["verdict"] is not None and c["verified_checks"] == len(sources)
    }
    updated: list[Candidate] = []
    for candidate in candidates:
        if candidate["verified_checks"] == len(sources) and candidate["verdict"] is not None:
            updated.append(candidate)
            continue
        started = time.perf_counter()
        verdict = known.get(candidate["code"])
        if verdict is None:
            verdict = sandbox.run(candidate["code"], sources, setup=suite.setup).to_dict()
            known[candidate["code"]] = verdict
        updated.append(
            Candidate(
                **{
                    **candidate,
                    "verdict": verdict,
                    "verified_checks": len(sources),
                    "verify_seconds": candidate["verify_seconds"]
                    + time.perf_counter()
                    - started,
                }
            )
        )
    return updated
