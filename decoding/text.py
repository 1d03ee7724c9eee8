"""Incremental detokenization that is correct across multi-byte UTF-8 characters."""

from __future__ import annotations

import codecs


class IncrementalText:
    """Text decoded from a stream of token byte pieces.

    A piece that ends inside a UTF-8 character keeps its bytes pending until the
    following pieces complete it, so a character split across tokens is never
    turned into replacement characters.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text = ""

    @property
    def text(self) -> str:
        """Everything decoded so far (pending bytes excluded)."""
        return self._text

    @property
    def pending(self) -> bytes:
        """Bytes of an unfinished character, waiting for the next piece."""
        return self._decoder.getstate()[0]

    def push(self, piece: bytes) -> str:
        """Append one token's bytes and return the characters they completed."""
        new = self._decoder.decode(piece)
        self._text += new
        return new

    def flush(self) -> str:
        """Decode whatever is pending (as replacement characters) and return it."""
        new = self._decoder.decode(b"", final=True)
        self._text += new
        return new

    def clone(self) -> IncrementalText:
        """An independent copy with the same text and pending bytes."""
        twin = IncrementalText()
        twin._decoder.setstate(self._decoder.getstate())
        twin._text = self._text
        return twin
