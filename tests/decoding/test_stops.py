"""Stop rules: stop sequences and the end of a top-level definition, asked of the tracker."""

from __future__ import annotations

import pytest

from analysis.syntax import SyntaxTracker
from decoding.beam import Beam
from decoding.stops import stop_sequence_at, top_level_end


def line_starts(text: str) -> list[int]:
    """The top-level line starts the beam's tracker reports for ``text``."""
    beam = Beam(beam_id=0, seq_id=0, tokens=[0], prompt_len=1, origin=SyntaxTracker())
    for char in text:
        beam.append(1, 0.0, char.encode())
    return beam.line_starts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" f(x):\n    return x\n\nprint(1)", " f(x):\n    return x\n"),
        ("    return 1\nfoo()", "    return 1"),
        (" f(x):\n    y = 1\n", None),
        (" f(x):\n", None),
        (' f(x):\n    """Doc.\n\nmore"""\n    return 1\nx', ' f(x):\n    """Doc.\n\nmore"""\n    return 1'),
        (" f(x):\n    return g(\n1)\nx", " f(x):\n    return g(\n1)"),
        (" f(x):\n    # note\nx", " f(x):\n    # note"),
    ],
    ids=["after-body", "stub-body", "open", "signature", "docstring", "brackets", "comment"],
)  # fmt: skip
def test_top_level_end_cuts_after_the_body(text: str, expected: str | None) -> None:
    index = top_level_end(text, line_starts(text), starts_a_line=True)
    assert (text[:index] if index is not None else None) == expected


def test_a_completion_that_continues_a_line_has_no_body_at_its_start() -> None:
    text = "    = 1\nx"
    assert top_level_end(text, line_starts(text), starts_a_line=False) is None


def test_stop_sequence_found_only_where_it_ends_in_new_text() -> None:
    assert stop_sequence_at("ab\ndef f", ("\nclass ",), before=0) is None
    assert stop_sequence_at("ab\ndef f", ("\ndef",), before=5) == 2
    assert stop_sequence_at("ab\ndef f", ("\ndef",), before=7) is None


def test_a_stop_may_begin_in_the_code_prefix() -> None:
    # The prefix ends with a newline and the model closes the fence at once.
    assert stop_sequence_at("```", ("\n```",), before=0, lead="    '''\n") == 0
    assert stop_sequence_at("```", ("\n```",), before=0, lead="    x = 1") is None
    assert stop_sequence_at("x\n```", ("\n```",), before=0, lead="a\n") == 1
    assert stop_sequence_at("``", ("\n```",), before=0, lead="a\n") is None
    assert stop_sequence_at("b", ("b",), before=0, lead="b") == 0
    assert stop_sequence_at("X", ("\n\n\n\nX",), before=0, lead="\n\n\n\n") == 0
