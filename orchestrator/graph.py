"""The improvement loop as a LangGraph state machine.

    START -> generate -> static_test -> route_after_test
                  ^                       |-> reflect -> route_after_reflect
                  |                       |                 |-> approve -> route_after_approval
                  |                       |                 |                 |-> generate
                  +-----------------------+-----------------+                 |-> learn
                                          |-> learn -> END  |-> learn

``route_after_test``: at ``max_cycles`` attempts -> learn; not clean ->
reflect; clean -> reflect only when the run reviews clean code
(``cycles.review_when_clean``), else learn. ``route_after_reflect``: clean code
whose review named no defect -> learn, else approve. ``approve`` is the human
gate: it pauses with ``interrupt()`` when ``cycles.require_human_approval`` is set.
"""

from __future__ import annotations

from typing import Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from nodes.approve import approve
from nodes.context import RunContext
from nodes.generate import generate
from nodes.learn import learn
from nodes.reflect import reflect
from nodes.state import RunState
from nodes.static_test import static_test

GENERATE = "generate"
STATIC_TEST = "static_test"
REFLECT = "reflect"
APPROVE = "approve"
LEARN = "learn"

LoopGraph = CompiledStateGraph[RunState, RunContext, RunState, RunState]

#: Graph steps one cycle can take (generate, static_test, reflect, approve).
STEPS_PER_CYCLE = 4


def route_after_test(state: RunState) -> Literal["reflect", "learn"]:
    """At the cycle bound -> learn; not clean -> reflect; clean -> reflect only to review it."""
    attempts = state.get("attempts") or []
    if not attempts:
        raise ValueError("route_after_test reached with no judged attempt")
    if len(attempts) >= state["max_cycles"]:
        return LEARN
    if attempts[-1]["clean"] and not state.get("review_when_clean", False):
        return LEARN
    return REFLECT


def route_after_reflect(state: RunState) -> Literal["approve", "learn"]:
    """Clean code that the review passed -> learn; anything to fix -> approve (then generate)."""
    attempts = state.get("attempts") or []
    if not attempts:
        raise ValueError("route_after_reflect reached with no judged attempt")
    verdicts = state.get("review_verdicts") or []
    if attempts[-1]["clean"] and (not verdicts or verdicts[-1] != "defects"):
        return LEARN
    return APPROVE


def route_after_approval(state: RunState) -> Literal["generate", "learn"]:
    """Continue with another cycle unless the human gate stopped the run."""
    status = state.get("status", "running")
    if status == "running":
        return GENERATE
    if status == "stopped":
        return LEARN
    raise ValueError(f"route_after_approval reached with status {status!r}")


def recursion_limit(max_cycles: int) -> int:
    """LangGraph's step bound for a run of ``max_cycles``: every cycle plus learn, with margin."""
    return STEPS_PER_CYCLE * max_cycles + 4


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> LoopGraph:
    """Compile the loop, with ``checkpointer`` for durable, resumable runs."""
    graph = StateGraph(RunState, context_schema=RunContext)
    graph.add_node(GENERATE, generate)
    graph.add_node(STATIC_TEST, static_test)
    graph.add_node(REFLECT, reflect)
    graph.add_node(APPROVE, approve)
    graph.add_node(LEARN, learn)

    graph.add_edge(START, GENERATE)
    graph.add_edge(GENERATE, STATIC_TEST)
    graph.add_conditional_edges(STATIC_TEST, route_after_test, [REFLECT, LEARN])
    graph.add_conditional_edges(REFLECT, route_after_reflect, [APPROVE, LEARN])
    graph.add_conditional_edges(APPROVE, route_after_approval, [GENERATE, LEARN])
    graph.add_edge(LEARN, END)
    return graph.compile(checkpointer=checkpointer)
