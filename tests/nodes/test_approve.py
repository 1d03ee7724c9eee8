"""The human gate's answers."""

from __future__ import annotations

import pytest

from nodes.approve import parse_answer


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"action": "continue"}, ("continue", "")),
        ({"action": "stop"}, ("stop", "")),
        ({"action": "continue", "feedback": " use a loop "}, ("continue", "use a loop")),
        ("stop", ("stop", "")),
    ],
)
def test_answers_are_normalised(answer: object, expected: tuple[str, str]) -> None:
    assert parse_answer(answer) == expected


@pytest.mark.parametrize("answer", [{"action": "maybe"}, 3, None])
def test_unknown_answers_are_refused(answer: object) -> None:
    with pytest.raises(ValueError, match="human gate expects"):
        parse_answer(answer)
