"""Incremental Python syntax state: where a text stands, character by character.

The tracker follows bracket depth, strings (single, double, triple-quoted,
raw, f-strings with nested replacement fields, escapes) and comments, and
reports *boundaries*: a newline outside brackets, strings and comments (a
statement has ended).
It never raises, whatever text it is fed, and clones cheaply (one per beam
while decoding).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

_STRING_PREFIX_LETTERS = frozenset("rRbBuUfFtT")
_OPEN = "([{"
_CLOSE = ")]}"

@dataclass(frozen=True)
class Boundary:
    """The end of a statement: characters fed so far when its newline was read."""

    offset: int


@dataclass
class _String:
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

    depth: int = 0
    in_comment: bool = False
    at_statement_start: bool = True
    _stack: list[_String | _Field] = field(default_factory=list)
    _word: str = ""
    _quote_run: int = 0
    _quote_char: str = ""
    _quote_prefix: str = ""
    _continuation: bool = False
    _fed: int = 0

    @property
    def in_string(self) -> bool:
        """Whether the text so far ends inside a string literal (or an f-string field)."""
        return bool(self._stack) or self._quote_run == 1

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
        self._stack.append(_String(self._quote_char, triple, formatted))
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
        if char.isalnum() or char == "_":
            self._word += char
            self._continuation = False
            return
        word, self._word = self._word, ""
        if char in "\"'":
            self._quote_char = char
            self._quote_prefix = word if set(word) <= _STRING_PREFIX_LETTERS else ""
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
            return
        self._continuation = False
        if char == "#":
            self.in_comment = True
        elif char in _OPEN:
            self.depth += 1
            self.at_statement_start = False
        elif char in _CLOSE:
            self.depth = max(self.depth - 1, 0)
        elif char == ";" and self.depth == 0:
            self.at_statement_start = True
        elif not char.isspace():
            self.at_statement_start = False

    def _newline(self, found: list[Boundary]) -> None:
        if self._continuation:
            self._continuation = False
            return
        if self.depth == 0 and not self._stack:
            found.append(Boundary(self._fed))
            self.at_statement_start = True
