"""The improvement loop as a LangGraph state machine.

    START -> prepare -> generate -> static_test -> verify -> route_after_verify
                           ^            ^            ^         |-> write_tests -> verify
                           |            |            +---------+
                           |            +----------------------|-> sample -> static_test
                           |                                   |-> reflect -> route_after_reflect
                           |                                   |      |-> approve -> route_after_approval
                           +-----------------------------------+------+-------------|-> generate
                                                               |-> learn -> END     |-> learn

``prepare`` gathers the checks (the task's examples, the user's tests).
``verify`` runs the cycle's candidates against them in the sandbox and keeps
the best; ``route_after_verify``: a cycle that asked for the model's tests ->
write_tests, for samples -> sample (whose candidates are judged the same way);
at ``max_cycles`` attempts -> learn; not accepted (findings, a failed check, a
test call that raised) -> reflect; accepted -> reflect only when the run
reviews clean code (``cycles.review_when_clean``), else learn. ``route_after_reflect``: accepted code whose review named no
defect -> learn, else approve. ``approve`` is the human gate: it pauses with
``interrupt()`` when ``cycles.require_human_approval`` is set.
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
from nodes.prepare import prepare
from nodes.reflect import reflect
from nodes.sample import sample
from nodes.state import Attempt, RunState
from nodes.static_test import static_test
from nodes.verify import verify
from nodes.write_tests import write_tests

PREPARE = "prepare"
GENERATE = "generate"
STATIC_TEST = "static_test"
VERIFY = "verify"
SAMPLE = "sample"
WRITE_TESTS = "write_tests"
REFLECT = "reflect"
APPROVE = "approve"
LEARN = "learn"

LoopGraph = CompiledStateGraph[RunState, RunContext, RunState, RunState]

#: Graph steps one cycle can take (generate, static_test, verify, write_tests, verify,
#: sample, static_test, verify, reflect, approve).
STEPS_PER_CYCLE = 10


def accepted(attempt: Attempt) -> bool:
    """Whether a run may stop at ``attempt``: clean, and no example or test of the task failed."""
    return bool(attempt.get("accepted", attempt["clean"]))


def route_after_verify(state: RunState) -> Literal["write_tests", "sample", "reflect", "learn"]:
    """Tests or samples asked for -> write_tests or sample; at the cycle bound -> learn; not
    accepted -> reflect; accepted -> reflect only to review it."""
    more = state.get("more", "")
    if more == "tests":
        return WRITE_TESTS
    if more == "samples":
        return SAMPLE
    if more:
        raise ValueError(f"route_after_verify reached with an unknown request {more!r}")
    attempts = state.get("attempts") or []
    if not attempts:
        raise ValueError("route_after_verify reached with no judged attempt")
    if len(attempts) >= state["max_cycles"]:
        return LEARN
    if accepted(attempts[-1]) and not state.get("review_when_clean", False):
        return LEARN
    return REFLECT


def route_after_reflect(state: RunState) -> Literal["approve", "learn"]:
    """Accepted code that the review passed -> learn; anything to fix -> approve (then generate)."""
    attempts = state.get("attempts") or []
    if not attempts:
        raise ValueError("route_after_reflect reached with no judged attempt")
    verdicts = state.get("review_verdicts") or []
    if accepted(attempts[-1]) and (not verdicts or verdicts[-1] != "defects"):
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
    """LangGraph's step bound for a run of ``max_cycles``: every cycle, prepare and learn, with
    margin."""
    return STEPS_PER_CYCLE * max_cycles + 4


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> LoopGraph:
    """Compile the loop, with ``checkpointer`` for durable, resumable runs."""
    graph = StateGraph(RunState, context_schema=RunContext)
    graph.add_node(PREPARE, prepare)
    graph.add_node(GENERATE, generate)
    graph.add_node(STATIC_TEST, static_test)
    graph.add_node(VERIFY, verify)
    graph.add_node(WRITE_TESTS, write_tests)
    graph.add_node(SAMPLE, sample)
    graph.add_node(REFLECT, reflect)
    graph.add_node(APPROVE, approve)
    graph.add_node(LEARN, learn)

    graph.add_edge(START, PREPARE)
    graph.add_edge(PREPARE, GENERATE)
    graph.add_edge(GENERATE, STATIC_TEST)
    graph.add_edge(STATIC_TEST, VERIFY)
    graph.add_conditional_edges(VERIFY, route_after_verify, [WRITE_TESTS, SAMPLE, REFLECT, LEARN])
    graph.add_edge(WRITE_TESTS, VERIFY)
    graph.add_edge(SAMPLE, STATIC_TEST)
    graph.add_conditional_edges(REFLECT, route_after_reflect, [APPROVE, LEARN])
    graph.add_conditional_edges(APPROVE, route_after_approval, [GENERATE, LEARN])
    graph.add_edge(LEARN, END)
    return graph.compile(checkpointer=checkpointer)
