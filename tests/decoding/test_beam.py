"""Beam: score formula, independent children, boundary marks and rewinds."""

from __future__ import annotations

import pytest

from decoding.beam import Beam
from decoding.checkpoint import Checkpoint
from decoding.constraint import ConstraintTracker


def new_beam(prompt: list[int] | None = None) -> Beam:
    tokens = prompt or [1, 2, 3]
    return Beam(
        beam_id=0,
        seq_id=0,
        tokens=list(tokens),
        prompt_len=len(tokens),
        tracker=ConstraintTracker(),
    )


def test_score_is_length_normalised_log_prob_minus_weighted_penalty() -> None:
    beam = new_beam()
    for token in (10, 11, 12, 13):
        beam.append(token, -0.5, b"x")
    beam.sec_penalty = 2.0
    expected = -2.0 / ((5 + 4) / 6) ** 1.5 - 0.5 * 2.0
    assert beam.score(length_penalty=1.5, security_lambda=0.5) == pytest.approx(expected)


def test_child_is_independent_of_parent() -> None:
    parent = new_beam()
    parent.append(10, -0.1, b"x = (")
    child = parent.child(beam_id=1, seq_id=1)
    child.append(11, -0.2, b")\n")
    assert parent.tokens == [1, 2, 3, 10]
    assert child.tokens == [1, 2, 3, 10, 11]
    assert (parent.text.text, child.text.text) == ("x = (", "x = ()\n")
    assert (parent.tracker.depth, child.tracker.depth) == (1, 0)
    assert parent.log_prob == pytest.approx(-0.1)


def test_append_reports_boundaries_of_the_new_text() -> None:
    beam = new_beam()
    assert beam.append(10, 0.0, b"x = 1") == []
    assert [b.kind for b in beam.append(11, 0.0, b"\n")] == ["newline"]


def test_mark_replaces_the_previous_one_when_only_blanks_lie_between() -> None:
    beam = new_beam()
    beam.append(10, 0.0, b"x = 1\n")
    first = beam.mark(Checkpoint(0, 3, 100))
    beam.safe_mark = first
    beam.append(11, 0.0, b"    ")
    second = beam.mark(Checkpoint(1, 4, 100))
    assert beam.marks == [second]
    assert beam.safe_mark is second


def test_rewind_restores_tokens_score_text_and_syntax_state() -> None:
    beam = new_beam()
    beam.append(10, -0.5, b"x = 1\n")
    mark = beam.mark(Checkpoint(0, 3, 100))
    beam.append(11, -1.0, b"y = (")
    beam.sec_penalty = 5.0
    beam.rewind(mark)
    assert beam.tokens == [1, 2, 3, 10]
    assert beam.log_prob == pytest.approx(-0.5)
    assert (beam.sec_penalty, beam.text.text, beam.tracker.depth) == (0.0, "x = 1\n", 0)
