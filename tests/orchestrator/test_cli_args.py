"""Command-line words are put in the order argparse needs; a mistyped command is no task."""

from __future__ import annotations

import argparse
import re

import pytest

from config.errors import UsageError
from orchestrator.cli import (
    _ACTIONS,
    _with_default_command,
    build_parser,
    closest_commands,
    edit_distance,
)

COMMANDS = build_parser().command_names


@pytest.mark.parametrize(
    ("argv", "expected", "implied"),
    [
        (["Write a function"], ["run", "Write a function"], True),
        (["-q", "Write a function"], ["run", "-q", "Write a function"], True),
        (["doctor"], ["doctor"], False),
        (["--json", "episodes", "list"], ["episodes", "list", "--json"], False),
        (["--config", "x.yaml", "runs"], ["runs", "--config", "x.yaml"], False),
        (["--config", "x.yaml", "do it"], ["run", "--config", "x.yaml", "do it"], True),
        (["--json", "run", "word"], ["run", "word", "--json"], False),
        (["--stub", "s.py", "Complete it"], ["run", "--stub", "s.py", "Complete it"], True),
        (["--help"], ["--help"], False),
    ],
)
def test_command_goes_first(argv: list[str], expected: list[str], implied: bool) -> None:
    assert _with_default_command(argv, COMMANDS) == (expected, implied)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lst"], "unknown command 'lst': did you mean `episodes list`?"),
        (["rnus"], "unknown command 'rnus': did you mean `runs`?"),
        (["--json", "doctr"], "unknown command 'doctr': did you mean `doctor`?"),
        (["epsiodes", "list"], "unknown command 'epsiodes': did you mean `episodes`?"),
        (["Export", "--format", "sft"], "unknown command 'Export': did you mean `export`?"),
        (
            ["delte", "x"],
            "unknown command 'delte': did you mean `runs delete` or `episodes delete`?",
        ),
    ],
)
def test_a_mistyped_command_names_the_closest_one(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        _with_default_command(argv, COMMANDS)
    assert raised.value.message == message


def test_unquoted_words_are_told_to_be_quoted() -> None:
    with pytest.raises(UsageError, match=re.escape("quote it, main.py 'write a function'")):
        _with_default_command(["write", "a", "function", "--max-tokens", "5"], COMMANDS)


def test_one_word_is_refused_and_told_how_to_run_it() -> None:
    with pytest.raises(UsageError, match=re.escape("give it as `main.py run fibonacci`")):
        _with_default_command(["fibonacci"], COMMANDS)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("lst", ["episodes list"]),
        ("resme", ["resume"]),
        ("reveiw", ["review"]),
        ("serach", ["episodes search"]),
        ("fibonacci", []),
        ("sort", []),
        ("add", []),
    ],
)
def test_closest_commands(word: str, expected: list[str]) -> None:
    assert closest_commands(word, COMMANDS) == expected


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("lst", "list", 1),
        ("rnus", "runs", 1),
        ("ab", "ba", 1),
        ("export", "expert", 1),
        ("", "run", 3),
        ("doctor", "doctor", 0),
        ("sort", "runs", 4),
    ],
)
def test_edit_distance_counts_a_swap_as_one(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance


def test_a_command_is_never_taken_for_a_typo() -> None:
    for name in COMMANDS:
        assert _with_default_command([name], COMMANDS) == ([name], False)


def test_every_action_of_the_parser_is_known_to_the_typo_check() -> None:
    def choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return dict(found[0].choices) if found else {}

    actions = {name: tuple(choices(sub)) for name, sub in choices(build_parser()).items()}
    assert {name: names for name, names in actions.items() if names} == _ACTIONS
