"""Drive one run through the graph: start it, answer the human gate, report its end.

A run started here that fails on its input before its first cycle is judged
is removed again, so no run is left behind that could never succeed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from config.errors import UserError
from orchestrator.command import Interrupted, main_py_command
from orchestrator.gate import ask_gate
from orchestrator.report import RunReport, report_from_state

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from langgraph.types import Durability

    from nodes.context import RunContext
    from nodes.state import RunState
    from orchestrator.command import CommandContext
    from orchestrator.graph import LoopGraph
    from orchestrator.tasks import TaskSpec


def execute_run(
    graph: LoopGraph, run_ctx: RunContext, ctx: CommandContext, spec: TaskSpec, *, yes: bool
) -> RunReport:
    """Start a new run for ``spec`` and drive it to its end (or a stop).

    A user error before the first cycle is judged removes the run again.
    """
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from nodes.state import initial_state
    from orchestrator.runs import new_run_id, run_config

    run_id = new_run_id()
    settings = run_ctx.settings
    run_ctx.progress.note(f"run {run_id}: up to {settings.cycles.max_cycles} cycle(s)")
    initial = initial_state(
        run_id,
        spec.task,
        spec.stub,
        settings.cycles.max_cycles,
        review_when_clean=settings.cycles.review_when_clean,
        settings=settings.model_dump(mode="json"),
        suite=spec.suite,
    )
    try:
        return drive(graph, run_ctx, ctx, run_id, initial, yes=yes)
    except UserError:
        saver = graph.checkpointer
        started = graph.get_state(run_config(run_id)).values.get("attempts")
        if isinstance(saver, BaseCheckpointSaver) and not started:
            saver.delete_thread(run_id)
        raise


def drive(
    graph: LoopGraph,
    run_ctx: RunContext,
    ctx: CommandContext,
    run_id: str,
    initial: RunState | None,
    *,
    yes: bool,
) -> RunReport:
    """Invoke the graph, answering human-gate interrupts, until the run ends."""
    from orchestrator import resources
    from orchestrator.graph import recursion_limit
    from orchestrator.runs import run_config

    start = time.perf_counter()
    snapshot_values = graph.get_state(run_config(run_id)).values if initial is None else initial
    max_cycles = int(snapshot_values.get("max_cycles", 1))
    run_ctx.progress.max_cycles = max_cycles
    config = run_config(run_id, recursion_limit=recursion_limit(max_cycles))

    def answer(question: Any) -> Any:
        run_ctx.progress.close()
        return ask_gate(question, run_ctx, ctx, yes=yes)

    try:
        values = invoke_to_end(graph, initial, config, run_ctx, answer, durability="sync")
    except KeyboardInterrupt:
        run_ctx.progress.close()
        resources.log_interrupted(graph, run_ctx, run_id)
        raise Interrupted(
            f"interrupted; continue with: {main_py_command()} resume {run_id}"
        ) from None
    finally:
        run_ctx.progress.close()
    return report_from_state(run_id, values, time.perf_counter() - start)


def invoke_to_end(
    graph: LoopGraph,
    payload: RunState | None,
    config: RunnableConfig,
    run_ctx: RunContext,
    answer: Callable[[Any], Any],
    *,
    durability: Durability = "async",
) -> dict[str, Any]:
    """Invoke the graph from ``payload`` (``None``: its last checkpoint), resuming every
    human-gate interrupt with ``answer(question)``, until the run ends; its final values."""
    from langgraph.types import Command

    resume: RunState | Command | None = payload
    while True:
        graph.invoke(resume, config, context=run_ctx, durability=durability)
        snapshot = graph.get_state(config)
        if not snapshot.interrupts:
            return dict(snapshot.values)
        resume = Command(resume=answer(snapshot.interrupts[0].value))
