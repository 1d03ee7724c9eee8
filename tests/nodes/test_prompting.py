"""Completion-style prompt building and task/stub validation."""

from __future__ import annotations

import pytest

from config.errors import UsageError
from decoding.chat import ChatTemplate
from nodes.prompting import (
    CLOSING_FENCE,
    DEFAULT_EXAMPLE,
    DEFAULT_EXAMPLE_TASK,
    Revision,
    build_chat_prompt,
    build_prompt,
    choose_template,
    definitions_only,
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
    revision = Revision(code="def f(): ...", findings="line 2: F821 undefined name 'x'", review="")
    prompt = build_prompt("t", revision=revision)
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


@pytest.mark.parametrize(
    ("stub", "line"),
    [("\0", 1), ("def f():\n    return 1\0\n", 2), ("import os\n\n\nx = '\0'\n", 4)],
)
def test_a_nul_byte_in_a_stub_is_refused_naming_its_line(stub: str, line: int) -> None:
    with pytest.raises(UsageError) as raised:
        validate_stub(stub, source="stub")
    assert raised.value.message == (
        f"stub is not valid Python: line {line}: source code string cannot contain null bytes"
    )


def test_stub_gets_a_final_newline() -> None:
    assert validate_stub("def f(): ...").endswith("\n")


GEMMA_STYLE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}<end_of_turn>\n"
    "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


TEMPLATE = ChatTemplate(source=GEMMA_STYLE, bos_token="<bos>", eos_token="<eos>")


def test_chat_prompt_renders_the_template_and_primes_a_code_block() -> None:
    prompt = build_chat_prompt(TEMPLATE, "add numbers", stub=STUB)
    assert prompt.text.startswith("<bos><start_of_turn>system\n")
    assert (
        "<start_of_turn>user\nadd numbers\n\nComplete this code:\n```python\n" + STUB in prompt.text
    )
    assert prompt.text.endswith("<start_of_turn>model\n```python\n" + STUB)
    assert prompt.special_tokens
    assert prompt.code_prefix == STUB


def test_chat_reply_ends_at_the_closing_fence_not_at_a_top_level_line() -> None:
    prompt = build_chat_prompt(TEMPLATE, "add numbers")
    assert (prompt.stop_sequences, prompt.stop_at_top_level) == ((CLOSING_FENCE,), False)


def test_chat_prompt_without_stub_lets_the_model_write_its_imports() -> None:
    prompt = build_chat_prompt(TEMPLATE, "add numbers")
    assert prompt.text.endswith("<start_of_turn>model\n```python\n")
    assert prompt.code_from("import math\n\ndef f(): ...\n") == "import math\n\ndef f(): ...\n"


def test_retrieved_examples_are_earlier_turns_of_the_chat() -> None:
    prompt = build_chat_prompt(TEMPLATE, "t", examples=[("old task", "def old():\n    return 1\n")])
    assert (
        "<start_of_turn>user\nold task<end_of_turn>\n"
        "<start_of_turn>assistant\n```python\ndef old():\n    return 1\n```<end_of_turn>\n"
        "<start_of_turn>user\nt<end_of_turn>"
    ) in prompt.text


def test_a_revision_shows_the_previous_code_its_findings_and_the_review() -> None:
    revision = Revision(code="def f():\n    return y\n", findings="line 2: F821", review="y is undefined")
    prompt = build_chat_prompt(TEMPLATE, "t", stub=STUB, revision=revision)
    previous = prompt.text.index("<start_of_turn>assistant\n```python\ndef f():\n    return y\n```")
    problems = prompt.text.index(
        "<start_of_turn>user\nYour code has these problems:\n- line 2: F821\n"
        "- review: y is undefined\n\nWrite the whole corrected code.<end_of_turn>"
    )
    assert previous < problems
    assert prompt.text.endswith("<start_of_turn>model\n```python\n" + STUB)


def test_demo_code_after_the_definitions_is_dropped_from_a_chat_reply() -> None:
    prompt = build_chat_prompt(TEMPLATE, "t", stub=STUB)
    completion = "    return a + b\n\n\n# Example usage\nprint(add(1, 2))\nassert add(2, 2) == 4\n"
    assert prompt.code_from(completion) == STUB + "    return a + b\n"


@pytest.mark.parametrize(
    ("code", "kept"),
    [
        ("import os\nX = 1\ndef f():\n    return X\n", "import os\nX = 1\ndef f():\n    return X\n"),
        ("def f():\n    return 1\nif __name__ == '__main__':\n    f()\n", "def f():\n    return 1\n"),
        ("print('no definitions')\n", "print('no definitions')\n"),
        ("def broken(:\n", "def broken(:\n"),
    ],
)
def test_definitions_only_keeps_imports_constants_and_definitions(code: str, kept: str) -> None:
    assert definitions_only(code) == kept


def test_completion_prompts_are_used_as_written() -> None:
    prompt = build_prompt("t", stub=STUB)
    assert prompt.code_from("    return a + b\nprint(1)\n") == STUB + "    return a + b\nprint(1)\n"


@pytest.mark.parametrize(
    ("setting", "has_template", "chat"),
    [("auto", True, True), ("auto", False, False), (True, True, True), (False, True, False)],
)
def test_chat_is_used_when_the_setting_and_the_model_allow(
    setting: bool | str, has_template: bool, chat: bool
) -> None:
    chosen = choose_template(setting, TEMPLATE if has_template else None, "m.gguf")
    assert (chosen is not None) == chat


def test_chat_required_of_a_model_without_a_template_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"m\.gguf has no chat template"):
        choose_template(True, None, "m.gguf")


def test_chat_template_that_raises_is_a_usage_error() -> None:
    template = ChatTemplate(
        source="{{ raise_exception('roles must alternate') }}", bos_token="", eos_token=""
    )
    with pytest.raises(UsageError, match="roles must alternate"):
        build_chat_prompt(template, "t")
