"""Where SABS rewinds: the start of the statement that holds a flagged line."""

from __future__ import annotations

import pytest

from decoding.steering import line_of, statement_start

CODE = 'import os\nx = run(\n    cmd,\n    shell=True)\ns = """a\nb"""\n'


@pytest.mark.parametrize(
    ("line", "statement"),
    [(1, "import os"), (2, "x = run("), (4, "x = run("), (6, 's = """a')],
)
def test_statement_start_is_the_first_line_of_the_statement(line: int, statement: str) -> None:
    assert CODE[statement_start(CODE, line) :].startswith(statement)


def test_line_of_counts_newlines_before_the_offset() -> None:
    assert [line_of(CODE, o) for o in (0, 9, 10)] == [1, 1, 2]
