"""When a beam's text is complete: a stop sequence, or the end of a top-level definition.

The top-level rule asks the beam's syntax tracker where its top-level lines
begin (newlines outside brackets, strings and comments), so a blank line or a
column-0 line inside a docstring never ends a function.
"""

from __future__ import annotations

from collections.abc import Sequence


def stop_sequence_at(text: str, stops: Sequence[str], before: int, *, lead: str = "") -> int | None:
    """Where the first stop sequence that ends after ``before`` begins in ``text``, if any.

    ``lead`` is the text just before ``text`` (the code prefix): a stop may begin in it, as
    the closing fence after a newline does when the prefix ends with one and the model
    closes the fence at once; such a stop is at 0.
    """
    reach = max((len(stop) for stop in stops), default=1) - 1  # how far back a stop can begin
    lead = lead[-reach:] if reach else ""
    whole, before = lead + text, before + len(lead)
    hits = [
        index
        for stop in stops
        if (index := whole.find(stop, max(before - len(stop) + 1, 0))) >= 0
    ]
    return max(min(hits) - len(lead), 0) if hits else None


def top_level_end(text: str, line_starts: Sequence[int], *, starts_a_line: bool) -> int | None:
    """The index of the newline before a column-0 line that follows an indented body, if any.

    ``line_starts`` are the offsets of top-level lines in ``text``;
    ``starts_a_line``: ``text`` itself begins a line (the code before it ends with one).
    """
    body = False
    for start in ([0] if starts_a_line else []) + list(line_starts):
        if start >= len(text):
            break
        head = text[start]
        if head in " \t":
            end = text.find("\n", start)
            body = body or bool(text[start : end if end >= 0 else len(text)].strip())
        elif head != "\n" and body and start > 0:
            return start - 1
    return None
