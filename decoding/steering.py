"""Where to rewind a beam whose code holds an unsafe construct, how to steer it from
there, and what its rewrite must satisfy.

At the name that made the unsafe choice when the verifier says where the
construct starts (``hashlib.md5(...)`` is rewound to ``md5``, so the ban falls
on the choice itself and the rest of the statement stays); otherwise at the
first line of the statement that holds it. Where the safe-alternative table
(:mod:`analysis.security.alternatives`) knows a safe spelling, its steer picks
the point instead (the module of ``pickle.loads``, the ``shell`` keyword of a
call, a call's closing bracket) and the text to nudge the beam toward
(:func:`steer_point`).

A rewritten statement must parse (SABS's syntax check) and must not use a name
the code binds nowhere (:func:`undefined_names`: ``pickleloads(data)`` parses,
but is no rewrite). A beam that cannot be made safe is cut where its code is
whole (:func:`complete`), never inside a statement.
"""

from __future__ import annotations

import ast
import keyword
import re
from dataclasses import dataclass

from analysis.names import ALWAYS_BOUND, bound_names
from analysis.security.alternatives import alternative_for
from analysis.security.extract import extract_code
from analysis.syntax import SyntaxTracker, open_try_handlers

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*")
_LAST_PART = re.compile(r"[A-Za-z_]\w*$")
_NAME = re.compile(r"[A-Za-z_]\w*")
_KEYWORD_ARGUMENT = re.compile(r"[A-Za-z_]\w*[ \t]*=(?!=)")
_STRING_PREFIXES = frozenset({"r", "b", "u", "f", "t", "rb", "br", "fr", "rf", "tr", "rt"})
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)
_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+\(?([^\n#;)]+)", re.MULTILINE)
_ALIAS = re.compile(r"([\w.]+)(?:[ \t]+as[ \t]+(\w+))?")
_CONSTRUCT_CHARS = 24  # how much of a construct that is no name a refusal quotes

#: ``SecurityDecision.unsafe_rule`` of a new syntax error, and of a name bound nowhere.
SYNTAX_RULE = "invalid-syntax"
UNDEFINED_RULE = "F821"


@dataclass(frozen=True)
class SteerPoint:
    """Where a beam is rewound for an unsafe construct, and how it is steered from there.

    ``offset`` is the character offset in the code of the rewind point; ``name`` the
    identifier banned from there until the statement ends ("": none, the token there is
    banned alone); ``boost`` the safe text the beam is nudged toward from ``offset`` ("":
    none); ``construct`` the unsafe construct as written (``pickle.loads``), for a refusal.
    """

    offset: int
    name: str
    boost: str
    construct: str
    drop: str = ""  # a keyword argument the safe spelling does not take, banned as well


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


def steer_point(code: str, line: int, col: int, rule: str | None) -> SteerPoint:
    """Where to rewind for the construct ``rule`` flags at ``line``/``col`` (1-based, UTF-8
    bytes) of ``code``, and how to steer from there.

    Without a safe alternative with a steer, the point is :func:`choice_offset` and the name
    banned is the name that chose the construct; for ``UNDEFINED_RULE`` it is the name bound
    nowhere itself (``subprocess`` of ``subprocess.run`` where nothing imports it). A boost that begins a new name (``json.``,
    ``ast.literal_eval``) is kept only where the code binds that name (:func:`binds`).
    """
    start = _offset(code, line, col)
    match = _DOTTED.match(code, start)
    if match is None or _is_string_prefix(code, match):
        snippet = code[start : start + _CONSTRUCT_CHARS].split("\n", 1)[0].strip()
        return SteerPoint(start, "", "", snippet)
    parts = [(m.group(), start + m.start()) for m in _NAME.finditer(match.group())]
    if rule == UNDEFINED_RULE:  # the name bound nowhere is the first part, not an attribute
        parts = parts[:1]
    construct = ".".join(part for part, _ in parts)
    last, last_at = parts[-1]
    entry = alternative_for(rule, last) if rule else None
    steer = entry.steer if entry is not None else None
    offset, name, boost, drop = last_at, last, "", ""
    if steer is not None and steer.at == "root":
        offset, name, boost = parts[0][1], parts[0][0], steer.boost
    elif steer is not None and steer.at == "keyword":
        found = _keyword_in_call(code, match.end(), steer.keyword)
        if found is not None:  # the keyword stays out in any form (``shellTrue=True``)
            offset, name, boost = found, steer.keyword, steer.boost
            drop = steer.keyword
    elif steer is not None and steer.at == "call_end":
        found = _call_end(code, match.end())
        if found is not None:
            offset, arguments = found
            separator = "" if not arguments else (" " if arguments.endswith(",") else ", ")
            name, boost = "", separator + steer.boost
    elif steer is not None:
        boost = steer.boost
    if boost and not _available(code, offset, boost):
        boost = ""
    drop = drop or (steer.drop if steer is not None and boost else "")
    return SteerPoint(offset, _bannable(name), boost, construct, drop)


def binds(code: str, name: str) -> bool:
    """Whether ``name`` is a builtin or an import of ``code`` binds it (a textual test)."""
    if name in ALWAYS_BOUND:
        return True
    for pattern, first_part in ((_IMPORT, True), (_FROM_IMPORT, False)):
        for statement in pattern.finditer(code):
            for alias in _ALIAS.finditer(statement.group(1)):
                bound = alias.group(2) or (
                    alias.group(1).split(".")[0] if first_part else alias.group(1)
                )
                if bound == name:
                    return True
    return False


def undefined_names(
    code: str, since: tuple[int, int], until_line: int
) -> list[tuple[str, int, int]]:
    """The names ``code`` reads between ``since`` and the end of line ``until_line`` that it
    binds nowhere and that are no builtins: ``(name, line, col)``, 1-based, in source order.

    ``since`` is a 1-based line and 0-based UTF-8 column; a name counts when it ends after it
    (``pickleloads`` counts for a rewind point at its ``loads``). Binding anywhere counts,
    whatever the scope (the check ruff's F821 makes, without scopes); a name bound only
    further on, in code not yet written, counts as undefined. Code that does not parse, even
    with a ``pass`` body after an open block header, and code with a star import give none.
    """
    tree = _parse_lenient(code)
    bound = bound_names(tree) if tree is not None else None
    if tree is None or bound is None:
        return []
    found = [
        (node.id, node.lineno, node.col_offset + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and (node.end_lineno or node.lineno, node.end_col_offset or 0) > since
        and node.lineno <= until_line
        and node.id not in bound
        and node.id not in ALWAYS_BOUND
    ]
    return sorted(found, key=lambda item: (item[1], item[2]))


def closes(code: str) -> bool:
    """Whether ``code`` parses once its open block header gets a ``pass`` body and each
    ``try`` still open a handler: a statement boundary inside a block is whole code."""
    return _parse_lenient(code) is not None


def complete(code: str) -> bool:
    """Whether ``code`` (fences and prose removed) parses as it is."""
    try:
        ast.parse(extract_code(code))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _offset(code: str, line: int, col: int) -> int:
    """The character offset in ``code`` of 1-based ``line`` and 1-based UTF-8 byte ``col``."""
    lines = code.splitlines(keepends=True)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    column = len(here.encode("utf-8")[: max(col - 1, 0)].decode("utf-8", errors="ignore"))
    return sum(len(text) for text in lines[: max(line - 1, 0)]) + column


def _is_string_prefix(code: str, match: re.Match[str]) -> bool:
    """Whether the name ``match`` found is a string's prefix (the ``f`` of ``f"..."``)."""
    return match.group().lower() in _STRING_PREFIXES and code[match.end() : match.end() + 1] in (
        "'",
        '"',
    )


def _bannable(name: str) -> str:
    """``name`` if a name ban can hold it: two characters or more and no keyword."""
    return name if len(name) >= 2 and not keyword.iskeyword(name) else ""


def _available(code: str, offset: int, boost: str) -> bool:
    """Whether ``boost``, written at ``offset``, would use only names the code has: a keyword
    argument, an attribute of what precedes it, or a first name the code binds."""
    if _KEYWORD_ARGUMENT.match(boost) or code[:offset].rstrip().endswith("."):
        return True
    first = _NAME.match(boost)
    return first is None or binds(code, first.group())


def _call_brackets(code: str, after: int) -> tuple[int, int] | None:
    """The offsets of the brackets of the call whose name ends at ``after``, if it is one."""
    opening = after
    while opening < len(code) and code[opening] in " \t":
        opening += 1
    if code[opening : opening + 1] != "(":
        return None
    tracker = SyntaxTracker()
    for index in range(opening, len(code)):
        tracker.feed(code[index])
        if tracker.depth == 0 and not tracker.in_string:
            return opening, index
    return None


def _call_end(code: str, after: int) -> tuple[int, str] | None:
    """The offset of the closing bracket of the call whose name ends at ``after``, and the
    text of its arguments (stripped)."""
    brackets = _call_brackets(code, after)
    if brackets is None:
        return None
    opening, closing = brackets
    return closing, code[opening + 1 : closing].strip()


def _keyword_in_call(code: str, after: int, name: str) -> int | None:
    """The offset of keyword argument ``name`` in the call whose name ends at ``after``."""
    brackets = _call_brackets(code, after)
    if brackets is None:
        return None
    opening, closing = brackets
    found = list(re.finditer(rf"\b{re.escape(name)}[ \t]*=(?!=)", code[opening:closing]))
    return opening + found[-1].start() if found else None


def _parse_lenient(code: str) -> ast.Module | None:
    """``code`` parsed, extracted from fences and prose; an open block header at its end gets
    a ``pass`` body, and each ``try`` still open a handler, where it does not parse as it is.
    ``None`` when it does not parse either way."""
    source = extract_code(code)
    last = next((text for text in reversed(source.splitlines()) if text.strip()), "")
    indent = last[: len(last) - len(last.lstrip())]
    body = source.rstrip("\n") + "\n" + indent + "    pass\n"
    handlers = open_try_handlers(source)
    attempts = [source, body]
    if handlers:
        attempts += [source.rstrip("\n") + "\n" + handlers, body + handlers]
    for attempt in attempts:
        try:
            return ast.parse(attempt)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None

