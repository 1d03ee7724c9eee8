"""The review turn's prompt and the parse of its reply."""

from __future__ import annotations

import pytest

from decoding.chat import ChatTemplate
from nodes.review import NO_DEFECTS, parse_review, review_prompt

TEMPLATE = ChatTemplate(
    source="{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</{{ m['role'] }}>"
    "{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
    bos_token="",
    eos_token="",
)
CODE = "def larger(a: int, b: int) -> int:\n    return a\n"


def test_the_review_sees_the_task_the_code_and_the_findings() -> None:
    prompt = review_prompt(TEMPLATE, task="return the larger", code=CODE, findings="line 2: F841")
    assert "Task:\nreturn the larger\n\nCode:\n```python\n" + CODE + "```" in prompt.text
    assert "reported:\nline 2: F841" in prompt.text
    assert NO_DEFECTS in prompt.text
    assert prompt.text.endswith("<assistant>")


def test_the_review_says_when_the_static_tests_found_nothing() -> None:
    prompt = review_prompt(TEMPLATE, task="t", code=CODE, findings="")
    assert "reported nothing" in prompt.text


def test_a_model_without_template_gets_the_review_as_comments() -> None:
    prompt = review_prompt(None, task="t", code=CODE, findings="")
    assert prompt.text.startswith(CODE)
    assert not prompt.special_tokens


def test_listed_defects_are_parsed_one_per_line() -> None:
    review = parse_review("- line 2 returns `a` even when b is larger\n* **no** check of b\n")
    assert review.verdict == "defects"
    assert review.defects == ("line 2 returns `a` even when b is larger", "no check of b")


def test_numbered_defects_are_parsed() -> None:
    assert parse_review("1. off by one in range\n2) wrong sign\n").defects == (
        "off by one in range",
        "wrong sign",
    )


@pytest.mark.parametrize("text", ["NO DEFECTS", "No defects.", "The code has no issues."])
def test_an_explicit_no_defects_is_understood(text: str) -> None:
    review = parse_review(text)
    assert (review.verdict, review.defects) == ("no_defects", ())


def test_a_bullet_that_says_there_are_none_is_not_a_defect() -> None:
    assert parse_review("- No defects found.").verdict == "no_defects"


def test_a_reply_that_is_neither_is_unclear_and_names_no_defect() -> None:
    review = parse_review("The function looks like it compares the values.")
    assert (review.verdict, review.defects) == ("unclear", ())
    assert review.text.startswith("The function")
