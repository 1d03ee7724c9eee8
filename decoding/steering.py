"""Where to rewind a beam whose code holds an unsafe construct.

At the name that made the unsafe choice when the verifier says where the
construct starts (``hashlib.md5(...)`` is rewound to ``md5``, so the ban falls
on the choice itself and the rest of the statement stays); otherwise at the
first line of the statement that holds it.
"""

from __future__ import annotations

import re

from analysis.syntax import SyntaxTracker

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*")
_LAST_PART = re.compile(r"[A-Za-z_]\w*$")


def statement_start(code: str, line: int) -> int:
    """The character offset in ``code`` of the statement that holds 1-based ``line``.

    That is the start of the latest line at or before ``line`` that begins
    outside brackets, strings and comments (a multi-line call flagged on its
    last line is rewound to where the call's statement began).
    """
    tracker = SyntaxTracker()
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


def choice_offset(code: str, line: int, col: int) -> int:
    """The character offset in ``code`` of the name that chose the construct at ``line``/``col``.

    ``line`` and ``col`` are 1-based, where the verifier reports the construct
    to start (``col`` counts UTF-8 bytes, as Python's ``ast`` does). A dotted name there (``yaml.load``, ``subprocess.run``) is the
    choice of its last part; anything else (a keyword argument, a string) is
    its own start.
    """
    lines = code.splitlines(keepends=True)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    column = len(here.encode("utf-8")[: max(col - 1, 0)].decode("utf-8", errors="ignore"))
    start = sum(len(text) for text in lines[: max(line - 1, 0)]) + column
    match = _DOTTED.match(code, start)
    if match is None:
        return start
    last = _LAST_PART.search(match.group())
    return start + (last.start() if last else 0)
