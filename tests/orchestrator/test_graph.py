"""The compiled graph has exactly the loop's shape."""

from __future__ import annotations

from orchestrator.graph import APPROVE, GENERATE, LEARN, REFLECT, STATIC_TEST, build_graph


def edges() -> set[tuple[str, str]]:
    drawn = build_graph().get_graph()
    return {(e.source, e.target) for e in drawn.edges}


def test_nodes_are_the_loop() -> None:
    nodes = set(build_graph().get_graph().nodes)
    assert nodes == {"__start__", GENERATE, STATIC_TEST, REFLECT, APPROVE, LEARN, "__end__"}


def test_edges_are_the_loop() -> None:
    assert edges() == {
        ("__start__", GENERATE),
        (GENERATE, STATIC_TEST),
        (STATIC_TEST, REFLECT),
        (STATIC_TEST, LEARN),
        (REFLECT, APPROVE),
        (REFLECT, LEARN),
        (APPROVE, GENERATE),
        (APPROVE, LEARN),
        (LEARN, "__end__"),
    }
