"""Extracting code from model output."""

from __future__ import annotations

from analysis.security import extract_code


def test_plain_code_is_unchanged() -> None:
    code = "def f(x):\n    return x + 1\n"
    assert extract_code(code) == code


def test_fenced_block_is_extracted() -> None:
    text = "Here is the code:\n```python\nprint(1)\n```\nThat prints one."
    assert extract_code(text) == "print(1)"


def test_unclosed_fence_runs_to_the_end() -> None:
    assert extract_code("Sure.\n```python\nx = eval(s)\ny = (") == "x = eval(s)\ny = ("


def test_non_python_fence_is_dropped() -> None:
    text = "```bash\nrm -rf /\n```\n```python\nx = 1\n```"
    assert extract_code(text) == "x = 1"


def test_prose_lines_around_code_are_stripped() -> None:
    text = (
        "Here is a function that adds numbers.\ndef add(a, b):\n    return a + b\nHope this helps!"
    )
    assert extract_code(text) == "def add(a, b):\n    return a + b"


def test_unfinished_last_code_line_is_kept() -> None:
    text = "def f(x):\n    return x +"
    assert extract_code(text) == text


def test_fence_inside_indented_docstring_is_code_not_markdown() -> None:
    code = 'def f(x):\n    """Example:\n    ```\n    f(1)\n    ```\n    """\n    return eval(x)\n'
    assert extract_code(code) == code
