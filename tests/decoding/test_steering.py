"""Where SABS rewinds: the start of the statement that holds a flagged line."""

from __future__ import annotations

import pytest

from decoding.steering import choice_offset, line_of, statement_start

CODE = 'import os\nx = run(\n    cmd,\n    shell=True)\ns = """a\nb"""\n'


@pytest.mark.parametrize(
    ("line", "statement"),
    [(1, "import os"), (2, "x = run("), (4, "x = run("), (6, 's = """a')],
)
def test_statement_start_is_the_first_line_of_the_statement(line: int, statement: str) -> None:
    assert CODE[statement_start(CODE, line) :].startswith(statement)


def test_line_of_counts_newlines_before_the_offset() -> None:
    assert [line_of(CODE, o) for o in (0, 9, 10)] == [1, 1, 2]


@pytest.mark.parametrize(
    ("code", "line", "col", "choice"),
    [
        ("h = hashlib.md5(b)\n", 1, 5, "md5(b)"),
        ("x = 1\ny = yaml . load(f)\n", 2, 5, "load(f)"),
        ("r = eval(s)\n", 1, 5, "eval(s)"),
        ("run(cmd, shell=True)\n", 1, 10, "shell=True)"),
        ('q = "SELECT " + s\n', 1, 5, '"SELECT " + s'),
        ('s = "é"; r = eval(s)\n', 1, 15, "eval(s)"),
    ],
)
def test_choice_offset_is_the_last_part_of_the_name_that_starts_there(
    code: str, line: int, col: int, choice: str
) -> None:
    assert code[choice_offset(code, line, col) :].startswith(choice)
