"""The table of safe spellings: which entry answers a finding, and that the table is sound."""

from __future__ import annotations

import pytest

from analysis.security import loaded_registry
from analysis.security.alternatives import (
    ALTERNATIVES,
    Steer,
    alternative_at,
    alternative_for,
    name_at,
)


def col_of(line: str, text: str) -> int:
    """The 1-based UTF-8 byte column where ``text`` first starts in ``line``."""
    return len(line[: line.index(text)].encode("utf-8")) + 1


def test_alternative_for_takes_the_entry_for_the_name_before_the_generic_one() -> None:
    loads = alternative_for("SC401", "loads")
    assert loads is not None
    assert loads.steer == Steer("root", "json.")
    assert loads.unsafe == "pickle.loads(data)"


@pytest.mark.parametrize("name", ["Unpickler", None])
def test_alternative_for_falls_to_the_generic_entry_for_another_name(name: str | None) -> None:
    generic = alternative_for("SC401", name)
    assert generic is not None
    assert generic.unsafe == "pickle.Unpickler(stream)"
    assert generic.steer is None


def test_alternative_for_tells_entries_of_one_rule_apart_by_name() -> None:
    load = alternative_for("SC403", "load")
    load_all = alternative_for("SC403", "load_all")
    assert load is not None and load_all is not None
    assert load.steer == Steer("name", "safe_load", drop="Loader")
    assert load_all.steer == Steer("name", "safe_load_all", drop="Loader")


def test_an_entry_for_named_calls_only_answers_those_names() -> None:
    assert alternative_for("SC403", "safe_load") is None
    assert alternative_for("SC501", "sha256") is None


def test_a_rule_without_an_entry_has_no_alternative() -> None:
    assert alternative_for("SC999", "loads") is None
    assert alternative_for("SC401", "loads") is not None


def test_an_entry_answers_each_of_its_rules() -> None:
    shell_run = alternative_for("SC207", "run")
    shell_popen = alternative_for("SC210", "Popen")
    assert shell_run is not None and shell_run is shell_popen
    assert shell_run.steer == Steer("keyword", keyword="shell")


@pytest.mark.parametrize(
    ("line", "start", "name"),
    [
        ("h = hashlib.md5(x)", "hashlib", "md5"),
        ("h = hashlib.md5(x)", "h ", "h"),
        ("y = yaml . load(f)", "yaml", "load"),
        ("r = eval(s)", "eval", "eval"),
        ("e = xml.dom.minidom.parseString(t)", "xml", "parseString"),
        ('s = "é"; r = pickle.loads(s)', "pickle", "loads"),
    ],
)
def test_name_at_is_the_last_part_of_the_dotted_name_at_the_column(
    line: str, start: str, name: str
) -> None:
    assert name_at(line, col_of(line, start)) == name


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("h = hashlib.md5(x)", "= "),
        ('q = "SELECT " + s', '"SELECT'),
        ("x = (1)", "(1)"),
    ],
)
def test_name_at_is_none_where_no_name_starts(line: str, start: str) -> None:
    assert name_at(line, col_of(line, start)) is None


def test_name_at_is_none_past_the_end_of_the_line() -> None:
    assert name_at("x = 1", 40) is None


def test_alternative_at_reads_the_name_at_the_column() -> None:
    line = "d = pickle.loads(b)"
    found = alternative_at(line, col_of(line, "pickle"), "SC401")
    assert found is not None
    assert found.steer == Steer("root", "json.")


def test_alternative_at_without_a_name_takes_an_entry_for_any_name() -> None:
    line = "d = (b)"
    generic = alternative_at(line, col_of(line, "(b)"), "SC401")
    assert generic is not None
    assert generic.unsafe == "pickle.Unpickler(stream)"
    assert alternative_at(line, col_of(line, "(b)"), "SC403") is None


def test_every_rule_of_the_table_is_a_registered_rule() -> None:
    known = loaded_registry().rules
    unknown = sorted({rule for entry in ALTERNATIVES for rule in entry.rules} - set(known))
    assert unknown == []


def test_every_steer_has_what_its_kind_needs() -> None:
    steers = [entry.steer for entry in ALTERNATIVES if entry.steer is not None]
    assert steers
    for steer in steers:
        assert steer.at in ("name", "root", "keyword", "call_end")
        if steer.at == "keyword":
            assert steer.keyword, steer
        else:
            assert not steer.keyword, steer
        if steer.at == "call_end":
            assert steer.boost, steer


def test_every_entry_says_what_to_write_instead() -> None:
    for entry in ALTERNATIVES:
        assert entry.rules, entry
        assert entry.unsafe and entry.safe, entry
