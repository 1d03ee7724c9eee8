"""Security analysis of code that is still being written, with an LRU result cache.

Three parse states:

* ``PARSE_OK``: the code parses; its issues are final for this text.
* ``PARSE_INCOMPLETE``: the syntax error is at the end, so more text could
  still fix it. The rule: the error is reported on or after the last
  non-blank line, or where the innermost bracket or string that the code
  leaves open begins (Python blames an unclosed one there, however early;
  :func:`analysis.syntax.unclosed` says what is open). An error of another
  kind that Python happens to report at that very bracket (``if x:`` then
  ``(a,`` unindented) counts as unfinished too. The longest prefix that ends
  at a statement boundary (a line end outside brackets and strings) and
  parses is analysed instead, so a dangerous statement already complete is
  still caught. A ``try:`` whose handler is not written yet would hide its
  whole body: a prefix that leaves one open is analysed with a handler
  closing it (the body's ``exec(code)`` is caught when its line ends,
  not after the ``except`` clause). Being unfinished costs nothing.
* ``PARSE_INVALID``: an error before the last line: no continuation can fix
  it. No issues are reported and the penalty is a fixed 2.0.
"""

from __future__ import annotations

import ast
import enum
import functools
import io
import tokenize
from dataclasses import dataclass

from analysis.findings import Severity
from analysis.security.issue import SecurityIssue
from analysis.security.policy import DEFAULT_POLICY, Policy
from analysis.security.scanner import scan_tree
from analysis.syntax import open_try_handlers, unclosed

SEVERITY_WEIGHTS: dict[Severity, float] = {
    Severity.CRITICAL: 10.0,
    Severity.ERROR: 5.0,
    Severity.WARNING: 1.0,
    Severity.INFO: 0.1,
}
INVALID_PENALTY = 2.0
MAX_PREFIX_ATTEMPTS = 12
LINE_ATTEMPTS = 3


class ParseState(enum.Enum):
    """How far the code parses; see the module docstring for the rule."""

    PARSE_OK = "ok"
    PARSE_INCOMPLETE = "incomplete"
    PARSE_INVALID = "invalid"


@dataclass(frozen=True)
class IncrementalResult:
    """The verdict on one piece of code: parse state, issues and their penalty."""

    parse_state: ParseState
    issues: tuple[SecurityIssue, ...]
    sec_penalty: float
    error_at: tuple[int, int] | None = None  # an invalid parse's error: line, UTF-8 byte column


@dataclass(frozen=True)
class CacheStats:
    """Counters of a :class:`SecurityCache`."""

    hits: int
    misses: int
    size: int
    maxsize: int

    @property
    def hit_rate(self) -> float:
        """Hits over lookups (0.0 before any lookup)."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


class SecurityCache:
    """A least-recently-used cache of results per (code, policy), with hit/miss counts.

    ``functools.lru_cache`` does the work, one per cache, so each cache has its
    own size and counters.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise ValueError("SecurityCache maxsize must be at least 1")
        self._maxsize = maxsize
        self._analyze = functools.lru_cache(maxsize=maxsize)(_analyze)

    def analyze(self, code: str, policy: Policy) -> IncrementalResult:
        """The result for ``code`` under ``policy``: cached, or computed and cached."""
        return self._analyze(code, policy)

    def stats(self) -> CacheStats:
        """Current counters."""
        info = self._analyze.cache_info()
        return CacheStats(info.hits, info.misses, info.currsize, self._maxsize)

    def clear(self) -> None:
        """Drop every entry and reset the counters."""
        self._analyze.cache_clear()


def penalty(issues: tuple[SecurityIssue, ...] | list[SecurityIssue]) -> float:
    """The sum of the severity weights of ``issues``."""
    return sum(SEVERITY_WEIGHTS[issue.severity] for issue in issues)


def analyze_incremental(
    code: str, cache: SecurityCache | None = None, policy: Policy | None = None
) -> IncrementalResult:
    """Classify ``code`` as complete, unfinished or broken and scan what can be scanned.

    Never raises on any text.
    """
    active = policy or DEFAULT_POLICY
    return cache.analyze(code, active) if cache is not None else _analyze(code, active)


def _analyze(code: str, policy: Policy) -> IncrementalResult:
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        if not _error_at_end(code, error):
            return IncrementalResult(
                ParseState.PARSE_INVALID, (), INVALID_PENALTY, _error_position(code, error)
            )
        prefix = _longest_parsing_prefix(code, error.lineno)
        issues = tuple(scan_tree(prefix, policy)) if prefix is not None else ()
        return IncrementalResult(ParseState.PARSE_INCOMPLETE, issues, penalty(issues))
    except (ValueError, RecursionError, MemoryError):
        return IncrementalResult(ParseState.PARSE_INVALID, (), INVALID_PENALTY)
    issues = tuple(scan_tree(tree, policy))
    return IncrementalResult(ParseState.PARSE_OK, issues, penalty(issues))


def _error_position(code: str, error: SyntaxError) -> tuple[int, int] | None:
    """Where ``error`` is, as issues give it: 1-based line and 1-based UTF-8 byte column."""
    if error.lineno is None:
        return None
    lines = code.splitlines()
    text = lines[error.lineno - 1] if 0 < error.lineno <= len(lines) else ""
    before = text[: max((error.offset or 1) - 1, 0)]
    return error.lineno, len(before.encode("utf-8")) + 1


def _error_at_end(code: str, error: SyntaxError) -> bool:
    """True when more text could still repair ``error`` (see the module docstring)."""
    if error.lineno is None or error.lineno >= len(code.rstrip().splitlines()):
        return True
    return (error.lineno, (error.offset or 0) - 1) == unclosed(code).innermost


def _statement_ends(code: str) -> list[int]:
    """Line numbers where a logical line (statement) ends, as far as tokenizing gets."""
    ends: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.NEWLINE:
                ends.append(token.end[0])
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return ends


def _longest_parsing_prefix(code: str, error_line: int | None) -> ast.Module | None:
    """The tree of the longest prefix ending at a statement boundary that parses.

    The whole code (where only a ``try:`` without its handler keeps it from
    parsing) and whole-line prefixes ending just before the failing line are
    tried first (cheap, and right when the unfinished statement starts there);
    then the statement ends found by the tokenizer.
    """
    lines = code.splitlines(keepends=True)
    total = len(lines)
    start = min(error_line or total, total) - 1
    line_cuts = list(range(start, max(start - LINE_ATTEMPTS, -1), -1))
    found = _parse_closed(code) or _first_parsing(lines, line_cuts)
    if found is not None:
        return found
    statement_ends = sorted(
        {end for end in _statement_ends(code) if end < total} - set(line_cuts), reverse=True
    )
    return _first_parsing(lines, statement_ends[:MAX_PREFIX_ATTEMPTS])


def _first_parsing(lines: list[str], ends: list[int]) -> ast.Module | None:
    for end in ends:
        prefix = "".join(lines[:end])
        found = _parse(prefix) or _parse_closed(prefix)
        if found is not None:
            return found
    return None


def _parse_closed(code: str) -> ast.Module | None:
    """``code`` parsed with a handler closing each ``try`` it leaves open (None: it leaves
    none, or does not parse even so)."""
    handlers = open_try_handlers(code)
    return _parse(code.rstrip("\n") + "\n" + handlers) if handlers else None


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
