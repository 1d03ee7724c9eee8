"""Beam: score formula, independent children, boundary marks and rewinds."""

from __future__ import annotations

import pytest

from analysis.syntax import SyntaxTracker
from decoding.beam import Beam


def new_beam(prompt: list[int] | None = None) -> Beam:
    tokens = prompt or [1, 2, 3]
    return Beam(
        beam_id=0,
        seq_id=0,
        tokens=list(tokens),
        prompt_len=len(tokens),
        origin=SyntaxTracker(),
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
    assert [b.offset for b in beam.append(11, 0.0, b"\n")] == [6]


def test_mark_replaces_the_previous_one_when_only_blanks_lie_between() -> None:
    beam = new_beam()
    beam.append(10, 0.0, b"x = 1\n")
    beam.mark()
    beam.append(11, 0.0, b"    ")
    beam.mark()
    assert beam.marks == [5]
    beam.append(12, 0.0, b"y = 2\n")
    beam.mark()
    assert beam.marks == [5, 6]


def test_truncate_restores_tokens_score_text_and_syntax_state() -> None:
    beam = new_beam()
    beam.append(10, -0.5, b"x = 1\n")
    beam.mark()
    beam.append(11, -1.0, b"y = (")
    beam.truncate(4)
    assert beam.tokens == [1, 2, 3, 10]
    assert beam.log_prob == pytest.approx(-0.5)
    assert (beam.text.text, beam.tracker.depth, beam.marks, beam.line_starts) == (
        "x = 1\n", 0, [4], [6]
    )


def test_truncate_keeps_the_syntax_state_of_the_code_prefix() -> None:
    origin = SyntaxTracker()
    origin.feed("s = (")
    beam = Beam(beam_id=0, seq_id=0, tokens=[1], prompt_len=1, origin=origin)
    beam.append(10, 0.0, b"1,")
    beam.append(11, 0.0, b" 2)")
    beam.truncate(2)
    assert (beam.text.text, beam.tracker.depth) == ("1,", 1)


def test_truncate_refuses_a_length_outside_the_beam() -> None:
    beam = new_beam()
    with pytest.raises(ValueError, match="cannot rewind"):
        beam.truncate(2)
    with pytest.raises(ValueError, match="cannot rewind"):
        beam.truncate(4)


def test_token_positions_of_text() -> None:
    beam = new_beam()
    for token, piece in ((10, b"a = 1"), (11, b"\n"), (12, b"    "), (13, b"b")):
        beam.append(token, 0.0, piece)
    assert beam.token_at_char(0) == 3
    assert beam.token_at_char(6) == 5  # the first character after the newline
    assert beam.first_word_token(beam.token_at_char(6)) == 6
    assert beam.token_at_char(99) == 7


def test_a_ban_holds_at_its_position_only() -> None:
    beam = new_beam()
    beam.ban(4, 42)
    assert beam.banned_here() == frozenset()
    beam.append(10, 0.0, b"x")
    assert beam.banned_here() == frozenset({42})


def test_a_boost_written_out_lifts_the_name_ban_but_not_the_dropped_keyword() -> None:
    beam = new_beam()
    beam.append(10, -0.1, b"x = yaml.")
    beam.steer("load", "safe_load", "Loader")
    assert not beam.allows(b"load(") and beam.allows(b"safe_")
    beam.append(11, -0.1, b"safe_")
    beam.append(12, -0.1, b"load(text, ")
    assert beam.boost is None
    assert [ban.name for ban in beam.name_bans] == ["Loader"]
    assert not beam.allows(b"Loader=") and not beam.allows(b"yaml.FullLoader)")
    beam.append(13, -0.1, b"x)\n")
    assert beam.name_bans == ()  # the statement ended


def test_a_dropped_keyword_may_not_come_back_later_in_the_call_glued_to_a_word() -> None:
    beam = new_beam()
    beam.append(10, -0.1, b"r = subprocess.run(c, ")
    beam.steer("shell", "", "shell")
    assert beam.allows(b"check=True, ")
    beam.append(11, -0.1, b"check=True, ")
    assert not beam.allows(b"shellTrue") and not beam.allows(b"shell")


def test_a_comment_line_does_not_end_the_statement_a_name_ban_holds_for() -> None:
    beam = new_beam()
    beam.steer("sorted_list", "")
    beam.append(10, -0.1, b"    # Create a copy\n")
    assert [ban.name for ban in beam.name_bans] == ["sorted_list"]
    assert not beam.allows(b"    sorted_list = ")
    beam.append(11, -0.1, b"    copy = l[:]\n")
    assert beam.name_bans == ()
