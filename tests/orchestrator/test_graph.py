"""The compiled graph has exactly the loop's shape."""

from __future__ import annotations

from orchestrator.graph import (
    APPROVE,
    GENERATE,
    LEARN,
    PREPARE,
    REFLECT,
    SAMPLE,
    STATIC_TEST,
    VERIFY,
    WRITE_TESTS,
    build_graph,
)


def edges() -> set[tuple[str, str]]:
    drawn = build_graph().get_graph()
    return {(e.source, e.target) for e in drawn.edges}


def test_nodes_are_the_loop() -> None:
    nodes = set(build_graph().get_graph().nodes)
    assert nodes == {
        "__start__",
        PREPARE,
        GENERATE,
        STATIC_TEST,
        VERIFY,
        SAMPLE,
        WRITE_TESTS,
        REFLECT,
        APPROVE,
        LEARN,
        "__end__",
    }


def test_edges_are_the_loop() -> None:
    assert edges() == {
        ("__start__", PREPARE),
        (PREPARE, GENERATE),
        (GENERATE, STATIC_TEST),
        (STATIC_TEST, VERIFY),
        (VERIFY, SAMPLE),
        (VERIFY, WRITE_TESTS),
        (WRITE_TESTS, VERIFY),
        (VERIFY, REFLECT),
        (VERIFY, LEARN),
        (SAMPLE, STATIC_TEST),
        (REFLECT, APPROVE),
        (REFLECT, LEARN),
        (APPROVE, GENERATE),
        (APPROVE, LEARN),
        (LEARN, "__end__"),
    }
