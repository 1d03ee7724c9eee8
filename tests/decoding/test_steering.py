"""Where SABS rewinds and how it steers from there, and what a rewrite must satisfy."""

from __future__ import annotations

import pytest

from decoding.steering import (
    UNDEFINED_RULE,
    SteerPoint,
    binds,
    choice_offset,
    complete,
    line_of,
    statement_start,
    steer_point,
    undefined_names,
)

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


def at(code: str, text: str) -> tuple[int, int]:
    """The 1-based line and 1-based UTF-8 byte column where ``text`` first starts in ``code``."""
    offset = code.index(text)
    line_start = code.rfind("\n", 0, offset) + 1
    return line_of(code, offset), len(code[line_start:offset].encode("utf-8")) + 1


def steer(code: str, construct: str, rule: str | None) -> SteerPoint:
    """The steer point for ``rule`` flagging the construct written as ``construct``."""
    line, col = at(code, construct)
    return steer_point(code, line, col, rule)


def test_steer_point_of_a_name_steer_rewinds_to_the_last_part() -> None:
    code = "import yaml\ndef f(s):\n    return yaml.load(s)\n"
    point = steer(code, "yaml.load", "SC403")
    assert point == SteerPoint(code.index("load(s)"), "load", "safe_load", "yaml.load", "Loader")


def test_steer_point_counts_the_column_in_utf8_bytes() -> None:
    code = 's = "é"; r = yaml . load(f)\n'
    point = steer(code, "yaml", "SC403")
    assert point.offset == code.index("load(f)")
    assert (point.name, point.boost, point.construct) == ("load", "safe_load", "yaml.load")


def test_steer_point_of_a_root_steer_rewinds_to_the_module_where_the_boost_is_bound() -> None:
    code = "import pickle\nimport json\nobj = pickle.loads(d)\n"
    point = steer(code, "pickle.loads", "SC401")
    assert point == SteerPoint(code.index("pickle.loads"), "pickle", "json.", "pickle.loads")


def test_steer_point_drops_a_boost_whose_first_name_the_code_does_not_bind() -> None:
    code = "import pickle\nobj = pickle.loads(d)\n"
    point = steer(code, "pickle.loads", "SC401")
    assert point == SteerPoint(code.index("pickle.loads"), "pickle", "", "pickle.loads")


@pytest.mark.parametrize(("imports", "boost"), [("import ast\n", "ast.literal_eval"), ("", "")])
def test_steer_point_of_a_name_steer_to_a_new_name_needs_it_bound(imports: str, boost: str) -> None:
    code = imports + "r = eval(s)\n"
    point = steer(code, "eval", "SC101")
    assert point == SteerPoint(code.index("eval"), "eval", boost, "eval")


def test_steer_point_of_a_keyword_steer_rewinds_to_the_keyword() -> None:
    code = "import subprocess\nsubprocess.run(c, shell=True)\n"
    point = steer(code, "subprocess.run", "SC207")
    # ... and keeps it out of the rest of the statement in any form (``shellTrue=True``)
    assert point == SteerPoint(code.index("shell=True"), "shell", "", "subprocess.run", "shell")


def test_steer_point_finds_the_keyword_of_a_call_over_several_lines() -> None:
    code = "subprocess.run(\n    [c, f(x=1)],\n    shell = True,\n)\n"
    point = steer(code, "subprocess.run", "SC207")
    assert (point.offset, point.name) == (code.index("shell"), "shell")


def test_steer_point_without_the_keyword_falls_back_to_the_name() -> None:
    code = "subprocess.run(c)\n"
    point = steer(code, "subprocess.run", "SC207")
    assert point == SteerPoint(code.index("run"), "run", "", "subprocess.run")


@pytest.mark.parametrize(
    ("call", "boost"),
    [
        ("jinja2.Environment(loader=l)", ", autoescape=True"),
        ("jinja2.Environment(loader=l,)", " autoescape=True"),
        ("jinja2.Environment()", "autoescape=True"),
        ('jinja2.Environment(loader=f(")"))', ", autoescape=True"),
    ],
)
def test_steer_point_of_a_call_end_steer_writes_the_keyword_at_the_closing_bracket(
    call: str, boost: str
) -> None:
    code = f"import jinja2\nenv = {call}\n"
    point = steer(code, "jinja2.Environment", "SC609")
    assert point == SteerPoint(code.rindex(")"), "", boost, "jinja2.Environment")


def test_steer_point_of_a_call_end_steer_on_no_call_falls_back_to_the_name() -> None:
    code = "E = jinja2.Environment\n"
    point = steer(code, "jinja2.Environment", "SC609")
    assert point == SteerPoint(code.index("Environment"), "Environment", "", "jinja2.Environment")


@pytest.mark.parametrize("rule", ["SC999", None])
def test_steer_point_without_an_entry_rewinds_to_the_last_name_part(rule: str | None) -> None:
    code = "import os\np = os.path.join(a, b)\n"
    point = steer(code, "os.path", rule)
    assert point == SteerPoint(code.index("join"), "join", "", "os.path.join")


def test_steer_point_bans_no_name_a_ban_cannot_hold() -> None:
    code = "y = e.x(1)\n"
    point = steer(code, "e.x", "SC999")
    assert point == SteerPoint(code.index("x(1)"), "", "", "e.x")


@pytest.mark.parametrize(
    ("code", "construct"),
    [('q = "SELECT " + s\n', '"SELECT " + s'), ('q = f"SELECT {s}"\n', 'f"SELECT {s}"')],
)
def test_steer_point_of_a_construct_that_is_no_name_bans_no_name(code: str, construct: str) -> None:
    point = steer(code, construct, "SC601")
    assert point == SteerPoint(code.index(construct), "", "", construct)


PICKLELOADS = "import pickle\ndef f(d):\n    return pickleloads(d)\n"


def test_undefined_names_finds_a_name_bound_nowhere() -> None:
    line, col = at(PICKLELOADS, "loads")
    name_line, name_col = at(PICKLELOADS, "pickleloads")
    found = undefined_names(PICKLELOADS, (line, col - 1), line)
    assert found == [("pickleloads", name_line, name_col)]


def test_undefined_names_counts_a_name_that_ends_after_since() -> None:
    line, col = at(PICKLELOADS, "pickleloads")
    end = col - 1 + len("pickleloads")  # 0-based column just past the name
    assert undefined_names(PICKLELOADS, (line, end - 1), line) != []
    assert undefined_names(PICKLELOADS, (line, end), line) == []
    assert undefined_names(PICKLELOADS, (line + 1, 0), line + 1) == []


def test_undefined_names_stops_after_until_line() -> None:
    code = "def f(d):\n    a = g(d)\n    return h(a)\n"
    assert [name for name, _, _ in undefined_names(code, (1, 0), 2)] == ["g"]
    assert [name for name, _, _ in undefined_names(code, (1, 0), 3)] == ["g", "h"]


def test_undefined_names_are_in_source_order() -> None:
    code = "x = b(c(a))\ny = d\n"
    assert undefined_names(code, (1, 0), 2) == [("b", 1, 5), ("c", 1, 7), ("a", 1, 9), ("d", 2, 5)]


def test_undefined_names_ignores_builtins_and_names_bound_anywhere() -> None:
    code = (
        "import os.path as p\n"
        "from json import loads as j\n"
        "def f(d, *rest, **kw):\n"
        "    global G\n"
        "    try:\n"
        "        return print(len(d), g(), p, j, rest, kw, G, C, __name__, e, v)\n"
        "    except ValueError as e:\n"
        "        pass\n"
        "    for v in d:\n"
        "        pass\n"
        "def g():\n"
        "    return 1\n"
        "class C:\n"
        "    pass\n"
    )
    assert undefined_names(code, (1, 0), 14) == []


def test_undefined_names_completes_an_open_block_header() -> None:
    code = "def f(d):\n    if check(d):"
    assert undefined_names(code, (1, 0), 2) == [("check", 2, 8)]


@pytest.mark.parametrize(
    "code",
    [
        "def f(:\n    return pickleloads(d)\n",
        "from pickle import *\nx = pickleloads(d)\n",
    ],
)
def test_undefined_names_gives_none_without_a_parse_or_with_a_star_import(code: str) -> None:
    assert undefined_names(code, (1, 0), 10) == []


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("import a.b as c\n", "c"),
        ("import a.b\n", "a"),
        ("import os, sys\n", "sys"),
        ("from x import y\n", "y"),
        ("from x.z import (y,\n", "y"),
        ("from x import y as w, v\n", "w"),
        ("from x import y as w, v\n", "v"),
        ("    import json  # indented\n", "json"),
        ("", "len"),
        ("", "__name__"),
    ],
)
def test_binds(code: str, name: str) -> None:
    assert binds(code, name)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("import a.b as c\n", "a"),
        ("import a.b as c\n", "b"),
        ("import a.b\n", "b"),
        ("from x import y\n", "x"),
        ("from x import y as w\n", "y"),
        ("# import json\n", "json"),
        ("x = json\n", "json"),
        ("", "pickleloads"),
    ],
)
def test_binds_not(code: str, name: str) -> None:
    assert not binds(code, name)


@pytest.mark.parametrize(
    ("code", "whole"),
    [
        ("x = 1\n", True),
        ("", True),
        ("Here it is:\n```python\ndef f():\n    return 1\n```\n", True),
        ("def f():\n", False),
        ("x = (1,\n", False),
        ("s = 'abc\n", False),
        ("def f(:\n    pass\n", False),
    ],
)
def test_complete(code: str, whole: bool) -> None:
    assert complete(code) is whole


def test_a_name_bound_nowhere_is_banned_itself_not_its_attribute() -> None:
    code = "def f(c):\n    return subprocess.run(c)\n"
    point = steer_point(code, 2, 12, UNDEFINED_RULE)
    assert (point.offset, point.name, point.construct) == (code.index("subprocess"), "subprocess", "subprocess")


def test_a_statement_inside_an_open_try_is_judged_for_its_names() -> None:
    code = "import os\ndef f(c):\n    try:\n        try:\n            result = ossystem(c)\n"
    assert undefined_names(code, (5, 0), 5) == [("ossystem", 5, 22)]
