"""Pull the Python code out of model output: markdown fences and prose lines removed."""

from __future__ import annotations

import ast
import re

_FENCE = re.compile(r"^(```|~~~)[ \t]*([\w+-]*)[ \t]*$", re.MULTILINE)
_PROSE = re.compile(r"^[A-Z][a-z']*(\s+[\w',;:()\"-]+){2,}[.:!?]?\s*$")
_CODE_LANGUAGES = frozenset({"", "python", "py", "python3"})


def extract_code(text: str) -> str:
    """The code in ``text``: the fenced Python blocks if there are any (an unclosed last
    fence runs to the end), otherwise ``text`` without leading and trailing prose lines.
    Plain code comes back unchanged; fences count only at the start of a line, so
    examples fenced inside an indented docstring are left alone.
    """
    if "```" in text or "~~~" in text:
        blocks = _fenced_blocks(text)
        if blocks is not None:
            return "\n".join(blocks)
    return _strip_prose(text)


def _fenced_blocks(text: str) -> list[str] | None:
    fences = list(_FENCE.finditer(text))
    if not fences:
        return None
    blocks: list[str] = []
    index = 0
    while index < len(fences):
        opening = fences[index]
        closing = fences[index + 1] if index + 1 < len(fences) else None
        body_end = closing.start() if closing is not None else len(text)
        if opening.group(2).lower() in _CODE_LANGUAGES:
            blocks.append(text[opening.end() + 1 : body_end].rstrip("\n"))
        index += 2
    return blocks


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if not stripped or line[:1].isspace() or not _PROSE.match(stripped):
        return False
    try:
        ast.parse(stripped)
    except SyntaxError:
        return True
    return False


def _strip_prose(text: str) -> str:
    lines = text.split("\n")
    start, end = 0, len(lines)
    while start < end and (_is_prose(lines[start]) or not lines[start].strip()):
        start += 1
    while end > start and (_is_prose(lines[end - 1]) or not lines[end - 1].strip()):
        end -= 1
    if not any(_is_prose(line) for line in (*lines[:start], *lines[end:])):
        return text
    return "\n".join(lines[start:end])
