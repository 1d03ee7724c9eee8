"""Where to rewind a beam whose code holds an unsafe statement: the statement's first line."""

from __future__ import annotations

from decoding.constraint import ConstraintTracker


def statement_start(code: str, line: int) -> int:
    """The character offset in ``code`` of the statement that holds 1-based ``line``.

    That is the start of the latest line at or before ``line`` that begins
    outside brackets, strings and comments (a multi-line call flagged on its
    last line is rewound to where the call's statement began).
    """
    tracker = ConstraintTracker()
    offset = 0
    start = 0
    for number, text in enumerate(code.splitlines(keepends=True), start=1):
        if tracker.at_boundary:
            start = offset
        if number >= line:
            return start
        tracker.feed(text)
        offset += len(text)
    return start if line <= 0 else offset


def line_of(code: str, offset: int) -> int:
    """The 1-based line number of character ``offset`` in ``code``."""
    return code.count("\n", 0, offset) + 1
