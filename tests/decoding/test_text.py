"""Incremental detokenization across split UTF-8 characters."""

from __future__ import annotations

from decoding.text import IncrementalText


def test_character_split_across_pieces_waits_for_its_last_byte() -> None:
    text = IncrementalText()
    data = "é€😀".encode()
    produced = [text.push(data[i : i + 1]) for i in range(len(data))]
    assert produced == ["", "é", "", "", "€", "", "", "", "😀"]
    assert text.text == "é€😀"


def test_pending_bytes_are_exposed_until_completed() -> None:
    text = IncrementalText()
    text.push("a😀".encode()[:3])
    assert (text.text, text.pending) == ("a", b"\xf0\x9f")


def test_clone_keeps_pending_bytes_independently() -> None:
    text = IncrementalText()
    text.push(b"\xf0\x9f\x98")
    twin = text.clone()
    assert (text.push(b"\x80"), twin.push(b"\x81")) == ("😀", "😁")


def test_flush_turns_an_unfinished_character_into_a_replacement() -> None:
    text = IncrementalText()
    text.push(b"ok\xe2\x82")
    assert text.flush() == "\ufffd"
