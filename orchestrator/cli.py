"""The command-line interface: parse, load settings, dispatch, report errors in one line.

``python main.py "task"`` is short for ``python main.py run "task"``. Every
user mistake ends as one line on stderr, never as a traceback. Exit codes,
the same for every command:

- 0: done; for ``run`` and ``resume``, the code ended clean.
- 1: done, but not clean: the run ended with findings (limit, no safe beam,
  stopped), a task of a batch did, or a ``doctor`` check failed.
- 2: error: a bad command line, configuration, input file, model or data
  folder; nothing was produced (one line on stderr).
- 130: interrupted (Ctrl-C); a run stays resumable.

Under ``--json`` an error is also one JSON document on stdout,
``{"error": "...", "exit_code": 2}``, so a program reading stdout sees it; the
line on stderr stays. A first word that is not a command is refused rather
than run as a task (``main.py lst`` is a typo, not a task); a one-word task
is given as ``main.py run WORD``.

At start-up this module and the command modules import only what parsing
needs; each command imports the rest when it runs, so ``--help`` and the
listings are quick.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import shlex
import sys
import traceback
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, NoReturn

from config.errors import UsageError, UserError
from orchestrator.command import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    OVERRIDE_KEYS,
    CommandContext,
    Interrupted,
    flag_of,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    os.environ.setdefault(
        "LANCEDB_LOG", "error"
    )  # LanceDB's index-build warnings are not for users
    words = list(sys.argv[1:] if argv is None else argv)
    json_output = _wants_json(words)
    try:
        parser = build_parser()
        args_list, implied = _with_default_command(words, parser.command_names)
        args = parser.parse_args(args_list)
        if implied and args.task is not None and len(args.task.split()) == 1:
            raise _unknown_command(args.task.strip(), parser.command_names)
        logging.basicConfig(
            level=logging.DEBUG if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        from rich.console import Console

        from config.loader import load_settings
        from config.paths import data_dir

        settings = load_settings(
            args.config,
            overrides=_overrides(args),
            flags={key: flag_of(attr) for attr, key in OVERRIDE_KEYS.items()},
        )
        ctx = CommandContext(
            settings=settings,
            console=Console(highlight=False, soft_wrap=True, markup=False),
            json_output=args.json,
            quiet=args.quiet,
            data_dir=data_dir(),
        )
        return int(args.handler(args, ctx))
    except UserError as exc:
        return _fail(f"error: {exc.message}", EXIT_ERROR, json_output=json_output)
    except KeyboardInterrupt as exc:
        message = exc.message if isinstance(exc, Interrupted) else "interrupted"
        return _fail(message, EXIT_INTERRUPTED, json_output=json_output)
    except Exception as exc:  # a bug: keep the traceback for the report, still exit as an error
        traceback.print_exc()
        message = f"internal error: {type(exc).__name__}: {exc}"
        return _fail(message, EXIT_ERROR, json_output=json_output)


def _fail(line: str, code: int, *, json_output: bool) -> int:
    """Say why the command ends: one line on stderr and, under ``--json``, one JSON document
    on stdout (``{"error": ..., "exit_code": ...}``); return ``code``."""
    _error_line(line)
    if json_output:
        error = " ".join(line.split()).removeprefix("error: ")
        sys.stdout.write(json.dumps({"error": error, "exit_code": code}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return code


def _error_line(text: str) -> None:
    """One unwrapped line on stderr, whatever the terminal width."""
    sys.stderr.write(" ".join(text.split()) + "\n")
    sys.stderr.flush()


def _wants_json(words: Sequence[str]) -> bool:
    """Whether ``--json`` is among the options (before a ``--`` that ends them)."""
    options = words[: words.index("--")] if "--" in words else words
    return "--json" in options


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see: {self.prog} --help)")


class _MainParser(_Parser):
    """The top-level parser; its help ends with the options of ``run``, the default command."""

    run_parser: argparse.ArgumentParser | None = None
    command_names: tuple[str, ...] = ()  # every command, as registered

    def format_help(self) -> str:
        if self.run_parser is None:
            return super().format_help()
        run_help = self.run_parser.format_help()
        _, _, options = run_help.partition("\n\n")  # without run's usage lines
        return (
            super().format_help()
            + '\nmain.py "TASK" is short for main.py run "TASK". The options of run\n'
            "(main.py run --help shows them too):\n\n" + options
        )


def build_parser() -> _MainParser:
    """The full argument parser with every sub-command."""
    from orchestrator import doctor, episode_commands, run_command, serve_commands

    common = _Parser(add_help=False)
    common.add_argument(
        "--config", type=Path, help="YAML file with settings (see config/default.yaml)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    common.add_argument("--json", action="store_true", help="print one JSON document for programs")
    common.add_argument(
        "-v", "--verbose", action="store_true", help="log debugging details to stderr"
    )

    parser = _MainParser(
        prog="main.py",
        description='Local, offline code generator. Usage: main.py "Write a function that ..."',
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run_command.register(subparsers, common)
    doctor.register(subparsers, common)
    episode_commands.register(subparsers, common)
    serve_commands.register(subparsers, common)
    parser.run_parser = subparsers.choices["run"]
    parser.command_names = tuple(subparsers.choices)
    return parser


def _with_default_command(argv: list[str], commands: Collection[str]) -> tuple[list[str], bool]:
    """Put the command first: ``--json episodes list`` -> ``episodes list --json``; and say
    whether ``run`` was implied (no command of ``commands`` given: the words are a task for
    ``run``).

    A first word that is not a command, after none but the shared options, is refused
    (``UsageError``): a mistyped command must not run the model as a task.
    """
    if not argv or argv[0] in ("-h", "--help"):
        return argv, False
    leading: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        leading.append(argv[i])
        if argv[i] in _OPTIONS_WITH_VALUE and "=" not in argv[i] and i + 1 < len(argv):
            leading.append(argv[i + 1])
            i += 1
        i += 1
    rest = argv[i:]
    if rest and rest[0] in commands:
        return [*rest, *leading], False
    shared_only = all(
        word in _SHARED_OPTIONS or word.partition("=")[0] in _OPTIONS_WITH_VALUE
        for word in leading
        if word.startswith("-")
    )
    if rest and shared_only and _is_word(rest[0]):
        words = list(itertools.takewhile(lambda word: not word.startswith("-"), rest))
        raise _unknown_command(rest[0], commands, task_words=words)
    return ["run", *argv], True


#: Options of the shared parser: those that take a value, and all of them.
_OPTIONS_WITH_VALUE = frozenset({"--config"})
_SHARED_OPTIONS = frozenset({"-q", "--quiet", "--json", "-v", "--verbose", *_OPTIONS_WITH_VALUE})
#: The actions of the commands that have them (``episodes list``), suggested for a typo.
_ACTIONS: dict[str, tuple[str, ...]] = {
    "runs": ("delete",),
    "episodes": ("list", "show", "search", "delete", "reembed"),
}


def _is_word(text: str) -> bool:
    """One word, as a command is: no space, no leading dash."""
    return bool(text) and not text.startswith("-") and len(text.split()) == 1


def _unknown_command(
    word: str, commands: Collection[str], *, task_words: Sequence[str] = ()
) -> UsageError:
    """The error for ``word`` where a command or a task was expected: the command it is
    likely a typo of, else how to give a task (``task_words``: the words that may be one,
    unquoted)."""
    close = closest_commands(word, commands)
    if close:
        return UsageError(
            f"unknown command {word!r}: did you mean "
            + " or ".join(f"`{name}`" for name in close)
            + "?"
        )
    if len(task_words) > 1:
        return UsageError(
            f"unknown command {word!r}; a task of several words is one argument: quote it, "
            f"main.py {shlex.quote(' '.join(task_words))}"
        )
    return UsageError(
        f"unknown command {word!r}; a task of one word is taken for a mistyped command: "
        f"describe the function, or give it as `main.py run {shlex.quote(word)}`"
    )


def closest_commands(word: str, commands: Collection[str]) -> list[str]:
    """The ``commands`` (``runs``) and their actions (``episodes list``) ``word`` is likely a
    typo of: those nearest to it, within one edit for a name of four letters or fewer and
    two for a longer one; none when nothing is that near."""
    names = [(name, name) for name in commands] + [
        (action, f"{command} {action}")
        for command, actions in _ACTIONS.items()
        if command in commands
        for action in actions
    ]
    typed = word.lower()
    scored = [
        (distance, shown)
        for name, shown in names
        if (distance := edit_distance(typed, name)) <= (1 if len(name) <= 4 else 2)
    ]
    best = min((d for d, _ in scored), default=None)
    return [shown for d, shown in scored if d == best]


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn ``a`` into ``b``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {key: getattr(args, attr, None) for attr, key in OVERRIDE_KEYS.items()}
