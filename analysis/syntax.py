"""Incremental Python syntax state: where a text stands, character by character.

The tracker follows bracket depth, strings (single, double, triple-quoted,
raw, f-strings with nested replacement fields, escapes) and comments, and
reports *boundaries*: a newline outside brackets, strings and comments (a
statement has ended). It also knows whether the text ends *open*, inside a
bracket, a string or a backslash-continued line that only more text can
close (:attr:`SyntaxTracker.open_starts`, :func:`unclosed`): the beams'
boundaries, the completeness checker's "left open" and the security
verifier's "unfinished" all come from here. :func:`open_try_handlers` closes
the ``try`` blocks that code ending inside one leaves without a handler.
It never raises, whatever text it is fed, and clones cheaply (one per beam
while decoding).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

_STRING_PREFIX_LETTERS = frozenset("rRbBuUfFtT")
_LINE_END = re.compile(r"\r\n?|\n")
_TRY = re.compile(r"try[ \t]*:")
_HANDLER = re.compile(r"(except|finally)\b")
_OPEN = "([{"
_CLOSE = ")]}"


@dataclass(frozen=True)
class Boundary:
    """The end of a statement: characters fed so far when its newline was read."""

    offset: int


@dataclass
class _String:
    start: int  # offset of its opening quote
    quote: str
    triple: bool
    formatted: bool
    closing_run: int = 0  # consecutive closing quotes seen (triple strings)
    escaped: bool = False
    brace_pending: bool = False  # a "{" or "}" seen in an f-string, waiting for its pair


@dataclass
class _Field:
    """A replacement field ``{...}`` inside an f-string: code until its closing brace."""

    depth: int = 0


@dataclass
class SyntaxTracker:
    """Incremental syntax state of Python text; ``feed`` returns the boundaries crossed."""

    in_comment: bool = False
    at_statement_start: bool = True
    _openers: list[tuple[int, str]] = field(default_factory=list)  # brackets open: offset, char
    _broken: bool = False  # a stray closing bracket or backslash seen: nothing counts as open
    _stack: list[_String | _Field] = field(default_factory=list)
    _word: str = ""
    _quote_run: int = 0
    _quote_char: str = ""
    _quote_prefix: str = ""
    _quote_start: int = 0
    _continuation: bool = False
    _continued: bool = False  # a line continuation with only blanks after it
    _fed: int = 0

    @property
    def depth(self) -> int:
        """Brackets open (a stray closing bracket closes nothing)."""
        return len(self._openers)

    @property
    def in_string(self) -> bool:
        """Whether the text so far ends inside a string literal (or an f-string field)."""
        return bool(self._stack) or self._quote_run == 1

    @property
    def open_starts(self) -> list[int]:
        """Where each bracket and string the text ends inside begins, outermost first.

        Offsets into everything fed; empty when the text ends outside them,
        and once the text has a stray closing bracket (one that closes no
        bracket, or one of another kind) or a stray backslash (one not
        followed by a newline): Python's syntax error is there, and no text
        that follows can repair it.
        """
        if self._broken:
            return []
        starts = [offset for offset, _ in self._openers]
        starts += [item.start for item in self._stack if isinstance(item, _String)]
        if self._quote_run == 1:
            starts.append(self._quote_start)
        return sorted(starts)

    @property
    def continued(self) -> bool:
        """Whether the text ends on a backslash that continues its line (blanks may follow).

        False once the text has a stray bracket or backslash, as for :attr:`open_starts`.
        """
        return self._continued and not self._broken

    @property
    def fed(self) -> int:
        """Characters fed so far."""
        return self._fed

    @property
    def at_boundary(self) -> bool:
        """Whether the text ends at the start of a top-level statement (only blanks since)."""
        return (
            self.at_statement_start
            and self.depth == 0
            and not self._stack
            and not self.in_comment
            and self._quote_run == 0
        )

    def clone(self) -> SyntaxTracker:
        """An independent copy that can be fed separately."""
        return copy.deepcopy(self)

    def feed(self, text: str) -> list[Boundary]:
        """Advance over ``text`` and return the boundaries it crossed, in order."""
        found: list[Boundary] = []
        for char in text:
            self._fed += 1
            self._step(char, found)
        return found

    def _step(self, char: str, found: list[Boundary]) -> None:
        top = self._stack[-1] if self._stack else None
        if isinstance(top, _String):
            self._string_char(top, char, found)
        elif self._quote_run:
            self._pending_quote(char, found)
        else:
            self._code_char(char, found)

    def _pending_quote(self, char: str, found: list[Boundary]) -> None:
        """Resolve a run of one or two quotes seen in code once the next character arrives."""
        if char == self._quote_char:
            if self._quote_run == 2:
                self._open_string(triple=True)
            else:
                self._quote_run = 2
            return
        run = self._quote_run
        if run == 1:
            self._open_string(triple=False)
            self._step(char, found)
        else:  # "" or '': an empty string, back to code
            self._quote_run = 0
            self._code_char(char, found)

    def _open_string(self, *, triple: bool) -> None:
        formatted = any(letter in "fFtT" for letter in self._quote_prefix)
        self._stack.append(_String(self._quote_start, self._quote_char, triple, formatted))
        self._quote_run = 0

    def _string_char(self, string: _String, char: str, found: list[Boundary]) -> None:
        if string.escaped:
            string.escaped = False
            return
        if string.brace_pending:
            string.brace_pending = False
            if char == "{":
                return  # "{{" is a literal brace
            self._stack.append(_Field())
            self._field_char(char)
            return
        if char == "\\":
            string.escaped = True
            string.closing_run = 0
            return
        if char == string.quote:
            string.closing_run += 1
            if not string.triple or string.closing_run == 3:
                self._stack.pop()
            return
        string.closing_run = 0
        if char == "\n" and not string.triple:
            self._stack.pop()  # an unterminated single-line string ends with its line
            self._newline(found)
        elif char == "{" and string.formatted:
            string.brace_pending = True

    def _field_char(self, char: str) -> None:
        """A character of code inside an f-string replacement field (already on the stack)."""
        fld = self._stack[-1]
        if not isinstance(fld, _Field):
            return
        if char in "\"'":
            self._quote_char = char
            self._quote_prefix = ""
            self._quote_start = self._fed - 1
            self._quote_run = 1
            return
        if char in _OPEN:
            fld.depth += 1
        elif char in _CLOSE:
            if fld.depth == 0:
                self._stack.pop()
            else:
                fld.depth -= 1

    def _code_char(self, char: str, found: list[Boundary]) -> None:
        if self._stack and isinstance(self._stack[-1], _Field):
            self._field_char(char)
            return
        if self.in_comment:
            if char == "\n":
                self.in_comment = False
                self._newline(found)
            return
        if self._continuation and char != "\n":
            self._broken = True  # a backslash followed by anything but a newline
            self._continued = False
        elif char not in " \t\f\n":
            self._continued = False  # the continued line has begun
        if char.isalnum() or char == "_":
            self._word += char
            self._continuation = False
            return
        word, self._word = self._word, ""
        if char in "\"'":
            self._quote_char = char
            self._quote_prefix = word if set(word) <= _STRING_PREFIX_LETTERS else ""
            self._quote_start = self._fed - 1 - len(self._quote_prefix)
            self._quote_run = 1
            self.at_statement_start = False
            return
        if word:
            self.at_statement_start = False
        if char == "\n":
            self._newline(found)
            return
        if char == "\\":
            self._continuation = True
            self._continued = True
            return
        self._continuation = False
        if char == "#":
            self.in_comment = True
        elif char in _OPEN:
            self._openers.append((self._fed - 1, char))
            self.at_statement_start = False
        elif char in _CLOSE:
            if not self._openers or _OPEN.index(self._openers[-1][1]) != _CLOSE.index(char):
                self._broken = True
            if self._openers:
                self._openers.pop()
        elif char == ";" and self.depth == 0:
            self.at_statement_start = True
        elif not char.isspace():
            self.at_statement_start = False

    def _newline(self, found: list[Boundary]) -> None:
        if self._continuation:
            self._continuation = False
            return
        self._continued = False
        if self.depth == 0 and not self._stack:
            found.append(Boundary(self._fed))
            self.at_statement_start = True


@dataclass(frozen=True)
class Unclosed:
    """What a text leaves open at its end, which only more text can close; falsy if nothing.

    ``starts``: where each bracket and string still open begins, outermost
    first, as (1-based line, 0-based column) the way Python counts them
    (lines end at ``\\n``, ``\\r\\n`` or ``\\r``), so they compare with a
    ``SyntaxError``'s ``lineno`` and ``offset - 1``; ``continued``: the text
    ends on a backslash-continued line. A text with a stray closing bracket
    or backslash leaves nothing open (see :attr:`SyntaxTracker.open_starts`).
    """

    starts: tuple[tuple[int, int], ...] = ()
    continued: bool = False

    def __bool__(self) -> bool:
        return bool(self.starts) or self.continued

    @property
    def innermost(self) -> tuple[int, int] | None:
        """Where the innermost bracket or string still open begins (Python blames that one)."""
        return self.starts[-1] if self.starts else None


def unclosed(code: str) -> Unclosed:
    """What ``code`` leaves open at its end, as its :class:`SyntaxTracker` sees it."""
    tracker = SyntaxTracker()
    tracker.feed(code)
    starts = tuple(_position(code, offset) for offset in tracker.open_starts)
    return Unclosed(starts, tracker.continued)


def _position(code: str, offset: int) -> tuple[int, int]:
    before = code[:offset]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return len(_LINE_END.findall(before)) + 1, offset - line_start


def open_try_handlers(source: str) -> str:
    """``except Exception: pass`` for each ``try:`` of ``source`` that has no handler yet,
    innermost first ("" when none): a statement boundary inside a ``try`` block is whole
    code but for it."""
    open_tries: list[str] = []
    for text in source.splitlines():
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = text[: len(text) - len(stripped)]
        while open_tries and len(open_tries[-1]) > len(indent):
            open_tries.pop()  # a deeper try the code has left: it would not parse anyway
        if open_tries and open_tries[-1] == indent and _HANDLER.match(stripped):
            open_tries.pop()
        if _TRY.match(stripped):
            open_tries.append(indent)
    return "".join(f"{i}except Exception:\n{i}    pass\n" for i in reversed(open_tries))
