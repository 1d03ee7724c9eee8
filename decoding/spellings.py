"""Every spelling of a banned name, and the tokens that begin a safe one.

When SABS rewinds a beam to the name that chose an unsafe construct
(``loads`` in ``pickle.loads(...)``), banning the one token it had there is not
enough: the tokenizer has other spellings of the same name (``loads``,
`` loads``, ``.loads``, ``lo`` + ``ads``), and ``loads`` without its dot glues to
the ``pickle`` before it (``pickleloads``). So a rewind bans the *name*, by one
text rule on the beam's new text since the rewind point (:func:`violates`):

* the first identifier written there must not start with the name: that is
  the construct's own place (``eval``, ``evaluate``, and ``eval`` glued to the
  word before it, ``returneval``);
* no later identifier may *be* the name (a second try further on), while
  identifiers that merely contain it stay allowed (``safe_load`` after a
  ``load`` ban, ``pickled`` after a ``pickle`` ban).

At the rewind point the rule is applied to every token of the vocabulary at
once, plus every token whose first identifier is a proper prefix of the name
running to the token's end (``lo``, ``.ev``: it could only continue into the
name). :meth:`SpellingIndex.opening` computes that set from a sorted index of
the vocabulary's token texts, built once per model (:func:`index_for`), and
caches it per name. On the following tokens the search checks the rule on the
few tokens it is about to take.
:meth:`SpellingIndex.continuing` finds the tokens that begin a given text, for
the boost toward a safe spelling.
"""

from __future__ import annotations

import re
import time
import weakref
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

#: A byte that may be part of an identifier (non-ASCII bytes belong to non-ASCII letters).
_WORD = re.compile(rb"[A-Za-z0-9_\x80-\xff]+")
_COMMENT = re.compile(rb"#[^\n]*")
_NO_TOKENS: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)

TokenIds = npt.NDArray[np.int64]


class Pieces(Protocol):
    """What the index reads from a model: the bytes each token renders to."""

    def piece(self, token: int) -> bytes:
        """The bytes ``token`` renders to."""
        ...


def violates(text: bytes, name: bytes) -> bool:
    """Whether ``text``, written from a rewind point on, spells the banned ``name``.

    Its first identifier starts with ``name``, or a later complete identifier (one
    followed by another character) is ``name``. An identifier still being written at
    the end of ``text`` is judged when it ends. Comments do not count: a word in one
    is no name, and a comment first does not make the code after it a later name.
    """
    code = _COMMENT.sub(b" ", text)
    runs = list(_WORD.finditer(code))
    if not runs:
        return False
    if runs[0].group().startswith(name):
        return True
    return any(run.group() == name and run.end() < len(code) for run in runs[1:])


def mentions(text: bytes, name: bytes) -> bool:
    """Whether an identifier of ``text``, complete or still being written, contains ``name``
    (``FullLoader`` for ``Loader``): the rule of a keyword the safe call does not take."""
    return any(name in run.group() for run in _WORD.finditer(text))


class _Sorted:
    """Token ids keyed by a byte string, sorted, for exact and prefix look-ups."""

    def __init__(self, pairs: Iterable[tuple[bytes, int]]) -> None:
        ordered = sorted(pairs)
        self._keys = [key for key, _ in ordered]
        self._ids = np.array([token for _, token in ordered], dtype=np.int64)

    def equal(self, key: bytes) -> TokenIds:
        """Tokens whose key is ``key``."""
        low = bisect_left(self._keys, key)
        high = bisect_left(self._keys, key + b"\x00", low)
        return self._ids[low:high]

    def starting(self, prefix: bytes) -> TokenIds:
        """Tokens whose key starts with ``prefix`` (non-empty)."""
        low = bisect_left(self._keys, prefix)
        if prefix[-1] < 0xFF:
            high = bisect_left(self._keys, prefix[:-1] + bytes([prefix[-1] + 1]), low)
            return self._ids[low:high]
        found = [i for i in range(low, len(self._keys)) if self._keys[i].startswith(prefix)]
        return self._ids[found]


@dataclass
class SpellingIndex:
    """The vocabulary's token texts, indexed for the name bans and the boosts of SABS."""

    n_vocab: int
    build_seconds: float
    _firsts: _Sorted  # each token's first identifier run
    _open_firsts: _Sorted  # tokens whose only run ends the token: it could continue
    _later: _Sorted  # every later, complete run of a token
    _pieces: _Sorted  # every non-empty token text
    _openings: dict[bytes, TokenIds] = field(default_factory=dict)

    @classmethod
    def build(cls, model: Pieces, n_vocab: int) -> SpellingIndex:
        """Read all ``n_vocab`` token texts of ``model`` once and index them."""
        started = time.perf_counter()
        firsts: list[tuple[bytes, int]] = []
        open_firsts: list[tuple[bytes, int]] = []
        later: list[tuple[bytes, int]] = []
        pieces: list[tuple[bytes, int]] = []
        for token in range(n_vocab):
            piece = model.piece(token)
            if not piece:
                continue
            pieces.append((piece, token))
            code = _COMMENT.sub(b" ", piece)  # as violates() reads it
            runs = list(_WORD.finditer(code))
            if not runs:
                continue
            firsts.append((runs[0].group(), token))
            if len(runs) == 1 and runs[0].end() == len(code):
                open_firsts.append((runs[0].group(), token))
            later.extend((run.group(), token) for run in runs[1:] if run.end() < len(code))
        index = cls(
            n_vocab, 0.0, _Sorted(firsts), _Sorted(open_firsts), _Sorted(later), _Sorted(pieces)
        )
        index.build_seconds = time.perf_counter() - started
        return index

    def opening(self, name: str) -> TokenIds:
        """The tokens that may not come first after a rewind point where ``name`` is banned:
        those that :func:`violates` on their own, and those whose first identifier is a proper
        prefix of ``name`` running to the token's end, so could only continue into it (cached
        per name)."""
        key = name.encode("utf-8")
        found = self._openings.get(key)
        if found is None:
            parts = [self._firsts.starting(key), self._later.equal(key)]
            parts += [self._open_firsts.equal(key[:k]) for k in range(1, len(key))]
            found = np.unique(np.concatenate(parts))
            self._openings[key] = found
        return found

    def continuing(self, text: bytes) -> TokenIds:
        """The tokens that begin ``text``: their text is a prefix of it, or starts with it."""
        if not text:
            return _NO_TOKENS
        parts = [self._pieces.equal(text[:k]) for k in range(1, len(text))]
        parts.append(self._pieces.starting(text))
        return np.unique(np.concatenate(parts))


_INDEXES: weakref.WeakKeyDictionary[object, SpellingIndex] = weakref.WeakKeyDictionary()


def index_for(model: Pieces, n_vocab: int) -> SpellingIndex:
    """The spelling index of ``model``, built on first use and kept while the model lives."""
    index = _INDEXES.get(model)
    if index is None or index.n_vocab != n_vocab:
        index = SpellingIndex.build(model, n_vocab)
        _INDEXES[model] = index
    return index
