"""Incremental analysis: parse states, penalties, the cache, and robustness on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.security import (
    INVALID_PENALTY,
    ParseState,
    SecurityCache,
    analyze_incremental,
    penalty,
    scan,
)


def test_complete_code_is_parse_ok_with_its_issues() -> None:
    result = analyze_incremental("import os\nos.system(cmd)\n")
    assert (result.parse_state, [i.id for i in result.issues]) == (ParseState.PARSE_OK, ["SC205"])


def test_penalty_sums_severity_weights() -> None:
    result = analyze_incremental("f = open(path, 'w')\neval(x)\n")
    assert result.sec_penalty == 10.0 + 1.0


def test_penalty_weights_each_severity() -> None:
    code = "eval(a)\nf = open(p, 'w')\nimport shutil\nimport random\ntoken = random.random()"
    assert penalty(scan(code)) == pytest.approx(10.0 + 1.0 + 0.1 + 5.0)


def test_unfinished_code_is_incomplete_without_penalty() -> None:
    result = analyze_incremental("def area(r):\n    return 3.14 * (r")
    assert (result.parse_state, result.sec_penalty) == (ParseState.PARSE_INCOMPLETE, 0.0)


def test_complete_unsafe_statement_before_unfinished_one_is_caught() -> None:
    code = "def calc(expr):\n    value = eval(expr)\n    return round(value,"
    result = analyze_incremental(code)
    assert result.parse_state is ParseState.PARSE_INCOMPLETE
    assert [(i.id, i.line) for i in result.issues] == [("SC101", 2)]


def test_unsafe_statement_before_open_block_header_is_caught() -> None:
    code = "import os\nos.system(cmd)\nfor x in items:\n"
    assert [i.id for i in analyze_incremental(code).issues] == ["SC205"]


def test_unterminated_docstring_is_incomplete() -> None:
    result = analyze_incremental('def f(x):\n    """Return x.\n    More')
    assert result.parse_state is ParseState.PARSE_INCOMPLETE


def test_early_syntax_error_is_invalid_with_fixed_penalty() -> None:
    result = analyze_incremental("def f(x)\n    return x\n\nprint(f(1))\n")
    assert (result.parse_state, result.issues, result.sec_penalty) == (
        ParseState.PARSE_INVALID,
        (),
        INVALID_PENALTY,
    )


def test_cache_counts_a_miss_then_a_hit() -> None:
    cache = SecurityCache()
    analyze_incremental("eval(x)", cache)
    analyze_incremental("eval(x)", cache)
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.hit_rate) == (1, 1, 0.5)


def test_cached_result_equals_fresh_result() -> None:
    cache = SecurityCache()
    first = analyze_incremental("import pickle\n", cache)
    assert analyze_incremental("import pickle\n", cache) == first


def test_cache_evicts_least_recently_used() -> None:
    cache = SecurityCache(maxsize=2)
    for code in ("a = 1", "b = 2", "a = 1", "c = 3"):
        analyze_incremental(code, cache)
    analyze_incremental("b = 2", cache)
    assert (cache.stats().size, cache.stats().hits, cache.stats().misses) == (2, 1, 4)


def test_cache_keys_on_policy_too() -> None:
    from analysis.security import Policy

    cache = SecurityCache()
    analyze_incremental("import subprocess", cache)
    strict = analyze_incremental("import subprocess", cache, Policy(frozenset({"SC201"})))
    assert (strict.issues, cache.stats().hits) == ((), 0)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_analyze_incremental_never_raises(text: str) -> None:
    result = analyze_incremental(text)
    assert result.parse_state in ParseState


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "def f(",
                "x",
                ":",
                "\n",
                "    ",
                "eval(",
                ")",
                "'''",
                "[",
                "#",
                "import os",
                "os.system(",
                ",",
                "\t",
                "\\",
                "lambda",
                "=",
            ]
        )
    )
)
def test_analyze_incremental_never_raises_on_code_like_text(parts: list[str]) -> None:
    result = analyze_incremental("".join(parts))
    assert result.sec_penalty >= 0.0


def test_unfinished_statement_spanning_many_lines_falls_back_to_statement_ends() -> None:
    code = "eval(a)\ndef f():\n    return g(\n        1,\n        2,\n        3,\n        4) +"
    result = analyze_incremental(code)
    assert (result.parse_state, [i.id for i in result.issues]) == (
        ParseState.PARSE_INCOMPLETE,
        ["SC101"],
    )


def test_error_blamed_on_a_bracket_left_open_lines_before_the_end_is_incomplete() -> None:
    result = analyze_incremental("eval(a)\nx = (1,\ny = 2\n")
    assert (result.parse_state, [i.id for i in result.issues]) == (
        ParseState.PARSE_INCOMPLETE,
        ["SC101"],
    )


def test_string_continued_by_a_backslash_newline_is_incomplete() -> None:
    result = analyze_incremental('eval(a)\nmsg = "first \\\nsecond')
    assert (result.parse_state, [i.id for i in result.issues]) == (
        ParseState.PARSE_INCOMPLETE,
        ["SC101"],
    )


def test_error_before_the_bracket_left_open_is_invalid() -> None:
    assert analyze_incremental("x = = 1\ny = (").parse_state is ParseState.PARSE_INVALID


def test_stray_backslash_before_a_bracket_left_open_is_invalid() -> None:
    # Python blames the character after the backslash: the bracket, still open at the end
    assert analyze_incremental("x = a \\(b,\n  c").parse_state is ParseState.PARSE_INVALID


@pytest.mark.parametrize(
    ("code", "error_at"),
    [
        ("x = 1\ny = pickle loads(d)\nz = 2\n", (2, 12)),
        ('s = "é"; y = pickle loads(d)\nz = 2\n', (1, 22)),  # bytes, as issue columns are
    ],
)
def test_an_invalid_parse_says_where_the_error_is(code: str, error_at: tuple[int, int]) -> None:
    result = analyze_incremental(code)
    assert (result.parse_state, result.error_at) == (ParseState.PARSE_INVALID, error_at)


def test_only_an_invalid_parse_has_an_error_position() -> None:
    assert analyze_incremental("x = 1\n").error_at is None
    assert analyze_incremental("def f(x):\n    return (x").error_at is None


@pytest.mark.parametrize(
    ("code", "found"),
    [
        # the body of a try whose handler is not written yet
        ("def run(code):\n    try:\n        exec(code)\n", [("SC102", 3)]),
        ("def run(code):\n    try:\n        exec(code)", [("SC102", 3)]),
        # ... and the statement after it is still unfinished
        ("def run(code):\n    try:\n        exec(code)\n        return f(1,\n", [("SC102", 3)]),
        # a try opened in the handler of another
        (
            "def run(c):\n    try:\n        a()\n    except E:\n        try:\n            eval(c)\n",
            [("SC101", 6)],
        ),
        # a try that has its handler stays as it is
        ("try:\n    a()\nexcept E:\n    b()\nelse:\n    eval(c)\n    x = (", [("SC101", 6)]),
        ("try:\n    a()\nexcept E:\n    b()\nif c:\n    try:\n        os.system(c)\n", [("SC205", 7)]),
    ],
)
def test_a_try_without_its_handler_yet_does_not_hide_its_body(
    code: str, found: list[tuple[str, int]]
) -> None:
    result = analyze_incremental(code)
    assert result.parse_state is ParseState.PARSE_INCOMPLETE
    assert [(i.id, i.line) for i in result.issues] == found


@pytest.mark.parametrize(
    "code",
    [
        "def run(code):\n    try:\n",  # a try with no body yet
        "def run(code):\n    try:\n        x = 1\n",  # a safe body
        "try:\n    a()\nexcept E:\n    b()\nif c:\n",  # a closed try before an open block
    ],
)
def test_closing_a_try_adds_no_issue(code: str) -> None:
    result = analyze_incremental(code)
    assert (result.parse_state, result.issues) == (ParseState.PARSE_INCOMPLETE, ())
