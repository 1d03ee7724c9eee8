"""The name bans of SABS: the text rule, and the vocabulary index that applies it at once."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pytest

from decoding.llama_adapter import LlamaAdapter
from decoding.spellings import SpellingIndex, index_for, mentions, violates

#: The tokens of a small vocabulary, by id (the empty one renders as nothing, as a special).
VOCABULARY = [
    b"loads",
    b" loads",
    b".loads",
    b"lo",
    b" lo",
    b".l",
    b"load",
    b"loadsheet",
    b"json",
    b"safe_load",
    b"safe_loads",
    b"x.loads(",
    b"x.loads",
    b"lo(",
    b"x lo",
    b"pickle",
    b".",
    b"(",
    b"s",
    b"safe",
    b"safe_",
    b"safe_load(",
    b" safe",
    b"afe",
    b"",
    b"\xff\xfe",
    b"\xff",
]


class FakePieces:
    """A model that only renders tokens."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def piece(self, token: int) -> bytes:
        return self.pieces[token]


def texts(tokens: npt.NDArray[np.int64]) -> set[bytes]:
    """The texts of ``tokens`` (ids in :data:`VOCABULARY`), each token once."""
    ids = [int(token) for token in tokens]
    assert len(ids) == len(set(ids))
    return {VOCABULARY[token] for token in ids}


@pytest.fixture
def index() -> SpellingIndex:
    return SpellingIndex.build(FakePieces(VOCABULARY), len(VOCABULARY))


@pytest.mark.parametrize(
    "text",
    [
        b"eval",  # the first identifier, still being written: already the name
        b" eval(",
        b"eval(s)",
        b".eval(",
        b"evaluate(",
        b" evaluate",
        b"return eval(",  # a later, complete identifier that is the name
        b"x = f(eval)",
        b"(\n    eval ",
    ],
)
def test_violates_where_the_name_is_spelled(text: bytes) -> None:
    assert violates(text, b"eval")


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b" (",
        b"safe_eval(",  # the first identifier only contains the name
        b"returneval(",  # glued before the rewind point is not this rule's text
        b"x = evaluate(",  # a later identifier that merely starts with the name
        b"x = my_eval(",
        b"x = eval",  # a later identifier still being written is not judged yet
        b"x = ev",
    ],
)
def test_does_not_violate_elsewhere(text: bytes) -> None:
    assert not violates(text, b"eval")


def test_violates_judges_a_later_identifier_once_it_ends() -> None:
    assert not violates(b"x = load", b"load")
    assert violates(b"x = load(", b"load")
    assert not violates(b"x = loader(", b"load")


def test_violates_lets_a_safe_spelling_that_contains_the_name_through() -> None:
    assert not violates(b"safe_load(", b"load")
    assert not violates(b"yaml.safe_load(f)\n", b"load")
    assert not violates(b"data = pickled(x)\n", b"pickle")
    assert violates(b"pickled(x)\n", b"pickle")  # but not first: that is the name's place


def test_opening_holds_every_spelling_that_starts_the_name(index: SpellingIndex) -> None:
    opening = texts(index.opening("loads"))
    assert {b"loads", b" loads", b".loads", b"loadsheet", b"x.loads("} <= opening


def test_opening_holds_the_open_prefixes_that_can_only_continue_into_the_name(
    index: SpellingIndex,
) -> None:
    opening = texts(index.opening("loads"))
    assert {b"lo", b" lo", b".l", b"load"} <= opening


def test_opening_leaves_every_other_token_free(index: SpellingIndex) -> None:
    opening = texts(index.opening("loads"))
    assert opening == {
        b"loads",
        b" loads",
        b".loads",
        b"loadsheet",
        b"x.loads(",
        b"lo",
        b" lo",
        b".l",
        b"load",
    }
    # not b"lo(" (the prefix is closed), b"x lo" (its first identifier is x), b"x.loads"
    # (its loads is still being written), b"safe_load", b"json", b"s"
    assert not {b"lo(", b"x lo", b"x.loads", b"safe_load", b"safe_loads", b"json"} & opening


def test_opening_is_cached_per_name(index: SpellingIndex) -> None:
    first = index.opening("loads")
    assert index.opening("loads") is first
    assert index.opening("json") is not first
    assert texts(index.opening("json")) == {b"json"}


def test_continuing_holds_the_tokens_that_begin_the_text(index: SpellingIndex) -> None:
    assert texts(index.continuing(b"safe_load")) == {
        b"s",
        b"safe",
        b"safe_",
        b"safe_load",
        b"safe_load(",
        b"safe_loads",
    }


def test_continuing_excludes_tokens_that_do_not_begin_it(index: SpellingIndex) -> None:
    found = texts(index.continuing(b"safe_load"))
    assert not {b" safe", b"afe", b"load", b"json", b"", b"loads"} & found


def test_continuing_nothing_is_no_token(index: SpellingIndex) -> None:
    assert len(index.continuing(b"")) == 0


def test_continuing_text_that_ends_in_the_highest_byte(index: SpellingIndex) -> None:
    assert texts(index.continuing(b"\xff")) == {b"\xff", b"\xff\xfe"}


def test_index_for_builds_once_per_model_and_vocabulary_size() -> None:
    model = FakePieces(VOCABULARY)
    first = index_for(model, len(VOCABULARY))
    assert index_for(model, len(VOCABULARY)) is first
    assert first.n_vocab == len(VOCABULARY)
    smaller = index_for(model, 3)
    assert smaller is not first
    assert smaller.n_vocab == 3
    assert texts(smaller.opening("loads")) == {b"loads", b" loads", b".loads"}
    assert index_for(FakePieces(VOCABULARY), len(VOCABULARY)) is not first


_WORD = re.compile(rb"[A-Za-z0-9_\x80-\xff]+")


def _open_prefix(piece: bytes, name: bytes) -> bool:
    """Whether ``piece``'s only identifier is a proper prefix of ``name`` that ends it."""
    runs = list(_WORD.finditer(piece))
    return (
        len(runs) == 1
        and runs[0].end() == len(piece)
        and len(runs[0].group()) < len(name)
        and name.startswith(runs[0].group())
    )


@pytest.mark.model
def test_opening_on_the_real_vocabulary_is_exactly_the_rule(shared_adapter: LlamaAdapter) -> None:
    model = shared_adapter
    n_vocab = model.n_vocab
    opening = index_for(model, n_vocab).opening("loads")
    banned = {int(token) for token in opening}
    for text in ("loads", " loads", ".loads", "pickle.loads"):
        # the token that writes the name, wherever a tokenization puts it, is banned
        spelled = [t for t in model.tokenize(text, add_bos=False) if _WORD.search(model.piece(t))]
        assert spelled[-1] in banned, (text, [model.piece(t) for t in spelled])
    for text in (" json", "json", "safe", " safe_load", "pickle"):
        assert model.tokenize(text, add_bos=False)[0] not in banned, text
    # every token the rule bans, and no other
    expected: set[int] = set()
    for token in range(n_vocab):
        piece = model.piece(token)
        if piece and (violates(piece, b"loads") or _open_prefix(piece, b"loads")):
            expected.add(token)
    assert banned == expected


def test_mentions_finds_the_name_inside_any_complete_identifier() -> None:
    assert mentions(b"safe_load(text, yaml.FullLoader)", b"Loader")
    assert mentions(b"x, Loader=", b"Loader")
    assert not mentions(b"safe_load(text, Full", b"Loader")
    assert mentions(b"safe_load(text, FullLoader", b"Loader")  # as soon as it is written


def test_words_in_comments_are_no_names_and_a_comment_first_changes_nothing() -> None:
    assert not violates(b"    # eval would be unsafe\n    return int(s)", b"eval")
    assert violates(b"    # convert\n    return int(s)", b"return")
    assert not violates(b"    # return", b"return")
