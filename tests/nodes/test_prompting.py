"""Completion-style prompt building and task/stub validation."""

from __future__ import annotations

import pytest

from config.errors import UsageError
from decoding.generator import ChatTemplate
from nodes.prompting import (
    DEFAULT_EXAMPLE,
    DEFAULT_EXAMPLE_TASK,
    build_chat_prompt,
    build_prompt,
    validate_stub,
    validate_task,
)

STUB = 'def add(a: int, b: int) -> int:\n    """Return the sum of a and b."""\n'


def test_task_without_stub_continues_a_def() -> None:
    prompt = build_prompt("Return the n-th Fibonacci number")
    assert prompt.text.endswith("# Task: Return the n-th Fibonacci number\ndef")
    assert prompt.code_from(" fib(n):\n    return n\n") == "def fib(n):\n    return n\n"


def test_builtin_example_shows_the_shape_when_nothing_is_retrieved() -> None:
    prompt = build_prompt("t")
    assert f"# Task: {DEFAULT_EXAMPLE_TASK}\n{DEFAULT_EXAMPLE}" in prompt.text


def test_stub_is_completed() -> None:
    prompt = build_prompt("add numbers", stub=STUB)
    assert prompt.text.endswith("# Task: add numbers\n" + STUB)
    assert prompt.code_from("    return a + b\n") == STUB + "    return a + b\n"


def test_a_stub_takes_the_place_of_the_builtin_example() -> None:
    assert DEFAULT_EXAMPLE not in build_prompt("add numbers", stub=STUB).text


def test_retrieved_examples_are_shown_before_a_stub() -> None:
    prompt = build_prompt("t", stub=STUB, examples=[("old task", "def old():\n    return 1\n")])
    assert prompt.text.index("def old():") < prompt.text.index(STUB)


def test_feedback_appears_as_comments_before_the_code() -> None:
    prompt = build_prompt("t", feedback="line 2: F821 undefined name 'x'")
    assert "#   line 2: F821 undefined name 'x'" in prompt.text
    assert prompt.text.index("F821") < len(prompt.text) - len("def")


def test_retrieved_examples_replace_the_builtin_one() -> None:
    prompt = build_prompt("t", examples=[("old task", "def old():\n    return 1\n")])
    assert "# Task: old task\ndef old():\n    return 1\n" in prompt.text
    assert DEFAULT_EXAMPLE not in prompt.text
    assert prompt.text.index("old task") < prompt.text.index("# Task: t\n")


@pytest.mark.parametrize("task", ["", "   ", "\n\t"])
def test_empty_task_is_refused(task: str) -> None:
    with pytest.raises(UsageError, match="the task is empty"):
        validate_task(task)


def test_task_with_undecodable_bytes_is_refused() -> None:
    with pytest.raises(UsageError, match="not valid UTF-8"):
        validate_task("write \udcff code")  # how argv carries bytes that are not UTF-8


def test_stub_that_is_not_python_is_refused() -> None:
    with pytest.raises(UsageError, match="not valid Python: line 1"):
        validate_stub("def broken(:\n", source="stub")


def test_stub_gets_a_final_newline() -> None:
    assert validate_stub("def f(): ...").endswith("\n")


GEMMA_STYLE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n"
    "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def test_chat_prompt_renders_the_template_and_primes_a_code_block() -> None:
    template = ChatTemplate(source=GEMMA_STYLE, bos_token="<bos>", eos_token="<eos>")
    prompt = build_chat_prompt(template, "add numbers", stub=STUB, feedback="line 2: F821")
    assert prompt.text.startswith("<bos><start_of_turn>system\n")
    assert (
        "<start_of_turn>user\nadd numbers\n\nComplete this code:\n```python\n" + STUB in prompt.text
    )
    assert "fix them:\nline 2: F821<end_of_turn>" in prompt.text
    assert prompt.text.endswith("<start_of_turn>model\n```python\n" + STUB)
    assert prompt.special_tokens
    assert prompt.code_prefix == STUB


def test_chat_template_that_raises_is_a_usage_error() -> None:
    template = ChatTemplate(
        source="{{ raise_exception('roles must alternate') }}", bos_token="", eos_token=""
    )
    with pytest.raises(UsageError, match="roles must alternate"):
        build_chat_prompt(template, "t")
