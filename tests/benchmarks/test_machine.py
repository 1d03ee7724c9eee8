"""What the benchmarks record about the machine."""

from __future__ import annotations

from benchmarks.machine import cpu_model, load_average


def test_the_cpu_model_is_named() -> None:
    assert cpu_model().strip()


def test_the_load_average_has_three_figures() -> None:
    assert len(load_average()) == 3
