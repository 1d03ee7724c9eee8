"""SyntaxTracker on a table of tricky Python fragments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.syntax import SyntaxTracker, unclosed


def fed(text: str, *, chunk: int = 0) -> tuple[SyntaxTracker, list[int]]:
    """Feed ``text`` whole or in chunks of ``chunk`` characters; return tracker and boundaries."""
    tracker = SyntaxTracker()
    pieces = [text] if chunk == 0 else [text[i : i + chunk] for i in range(0, len(text), chunk)]
    found = [b.offset for piece in pieces for b in tracker.feed(piece)]
    return tracker, found


# (text, depth, in_string, in_comment, at_boundary)
STATES = [
    ("x = foo(a, [1, {2: (3,", 4, False, False, False),
    ("x = foo(a, [1, {2: (3,)}])\n", 0, False, False, True),
    ('s = """a # not a comment\n(still a string\n', 0, True, False, False),
    ('s = """a # x\n"""\n', 0, False, False, True),
    ("s = '''it's\n", 0, True, False, False),
    ('s = "a \\" (b"\n', 0, False, False, True),
    ("s = 'a\\\\'\n", 0, False, False, True),
    ('s = r"\\"" + "("\n', 0, False, False, True),
    ('f"{x["k"]} {{literal (}}"\n', 0, False, False, True),
    ('f"{x:>{width}} and {y!r}"\n', 0, False, False, True),
    ('f"value {d["a"]', 0, True, False, False),
    ('# it\'s a "comment" (with brackets\n', 0, False, False, True),
    ("x = 1  # don't\n", 0, False, False, True),
    ("x = 1  # don't", 0, False, True, False),
    ("total = a + \\\n", 0, False, False, False),
    ('""\n', 0, False, False, True),
    ('x = ""', 0, False, False, False),
    ("if x:\n    ", 0, False, False, True),
]


@pytest.mark.parametrize(("text", "depth", "in_string", "in_comment", "at_boundary"), STATES)
def test_state_after_fragment(
    text: str, depth: int, in_string: bool, in_comment: bool, at_boundary: bool
) -> None:
    tracker, _ = fed(text)
    assert (tracker.depth, tracker.in_string, tracker.in_comment, tracker.at_boundary) == (
        depth,
        in_string,
        in_comment,
        at_boundary,
    )


@pytest.mark.parametrize(("text", "depth", "in_string", "in_comment", "at_boundary"), STATES)
def test_state_is_the_same_when_fed_one_character_at_a_time(
    text: str, depth: int, in_string: bool, in_comment: bool, at_boundary: bool
) -> None:
    whole, whole_found = fed(text)
    split, split_found = fed(text, chunk=1)
    assert (split.depth, split.in_string, split.in_comment, split.at_boundary) == (
        whole.depth,
        whole.in_string,
        whole.in_comment,
        whole.at_boundary,
    )
    assert split_found == whole_found


def test_every_statement_end_is_a_boundary_at_its_newline() -> None:
    text = "def f(x):\n    if x:\n        return 1\n    return 2\n"
    _, found = fed(text)
    assert found == [i + 1 for i, char in enumerate(text) if char == "\n"]


def test_newlines_inside_brackets_strings_and_continuations_are_not_boundaries() -> None:
    text = 'x = (1,\n2)\ny = """a\nb"""\nz = 1 + \\\n2\n'
    _, found = fed(text)
    assert [text[:offset].splitlines()[-1] for offset in found] == ["2)", 'b"""', "2"]


def test_clone_is_independent() -> None:
    tracker, _ = fed("x = (")
    twin = tracker.clone()
    twin.feed(")\n")
    assert (tracker.depth, twin.depth, tracker.at_boundary, twin.at_boundary) == (1, 0, False, True)


@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    tracker, _ = fed(text, chunk=3)
    assert tracker.depth >= 0


# (text, where each bracket and string still open begins, continued)
UNCLOSED = [
    ("x = foo(a, [1,", ((1, 7), (1, 11)), False),
    ('s = rb"""ab\nc', ((1, 4),), False),
    ('x = "abc', ((1, 4),), False),
    ('f"{x', ((1, 0),), False),
    ('msg = "first \\\nsecond', ((1, 6),), False),
    ("é = (1,\r\n[2,", ((1, 4), (2, 0)), False),
    ("total = a + \\", (), True),
    ("total = a + \\\n    ", (), True),
    ("total = a + \\\n# note", (), False),
    ("x = (1,\n2)\n", (), False),
    ("x = 1  # it's (", (), False),
    ("x = 1)\ny = (", (), False),
    ("x = [1, (2, 3]\ny = [", (), False),
    ("x = (a \\ b,\n", (), False),
]


@pytest.mark.parametrize(("text", "starts", "continued"), UNCLOSED)
def test_unclosed_says_what_the_text_leaves_open(
    text: str, starts: tuple[tuple[int, int], ...], continued: bool
) -> None:
    found = unclosed(text)
    expected = (starts, continued, bool(starts) or continued)
    assert (found.starts, found.continued, bool(found)) == expected


def test_innermost_is_the_last_start() -> None:
    assert (unclosed("f(a, [1,").innermost, unclosed("x = 1\n").innermost) == ((1, 5), None)


@given(st.text(alphabet="x(){}[]'\"\\#:\n \tf"))
def test_a_boundary_leaves_nothing_open(text: str) -> None:
    _, found = fed(text)
    assert [offset for offset in found if unclosed(text[:offset])] == []
