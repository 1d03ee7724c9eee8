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

At start-up this module and the command modules import only what parsing
needs; each command imports the rest when it runs, so ``--help`` and the
listings are quick.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from config.errors import UserError
from orchestrator.command import EXIT_ERROR, EXIT_INTERRUPTED, OVERRIDE_KEYS, CommandContext


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    os.environ.setdefault(
        "LANCEDB_LOG", "error"
    )  # LanceDB's index-build warnings are not for users
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(args_list)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        from rich.console import Console

        from config.loader import load_settings
        from config.paths import data_dir

        settings = load_settings(args.config, overrides=_overrides(args))
        ctx = CommandContext(
            settings=settings,
            console=Console(highlight=False, soft_wrap=True, markup=False),
            json_output=args.json,
            quiet=args.quiet,
            data_dir=data_dir(),
        )
        return int(args.handler(args, ctx))
    except UserError as exc:
        _error_line(f"error: {exc.message}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error_line("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: keep the traceback for the report, still exit as an error
        traceback.print_exc()
        _error_line(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR


def _error_line(text: str) -> None:
    """One unwrapped line on stderr, whatever the terminal width."""
    sys.stderr.write(" ".join(text.split()) + "\n")
    sys.stderr.flush()


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        _error_line(f"error: {message} (see: {self.prog} --help)")
        raise SystemExit(EXIT_ERROR)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every sub-command."""
    from orchestrator import doctor, episode_commands, run_command

    common = _Parser(add_help=False)
    common.add_argument(
        "--config", type=Path, help="YAML file with settings (see config/default.yaml)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    common.add_argument("--json", action="store_true", help="print one JSON document for programs")
    common.add_argument(
        "-v", "--verbose", action="store_true", help="log debugging details to stderr"
    )

    parser = _Parser(
        prog="main.py",
        description='Local, offline code generator. Usage: main.py "Write a function that ..."',
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run_command.register(subparsers, common)
    doctor.register(subparsers, common)
    episode_commands.register(subparsers, common)
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    """Put the command first: ``--json episodes list`` -> ``episodes list --json``.

    Without a known command the words are a task for ``run``.
    """
    if not argv or argv[0] in ("-h", "--help"):
        return argv
    leading: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        leading.append(argv[i])
        if argv[i] in _OPTIONS_WITH_VALUE and "=" not in argv[i] and i + 1 < len(argv):
            leading.append(argv[i + 1])
            i += 1
        i += 1
    rest = argv[i:]
    if rest and rest[0] in _COMMANDS:
        return [*rest, *leading]
    return ["run", *argv]


#: Options of the shared parser that take a value.
_OPTIONS_WITH_VALUE = frozenset({"--config"})
_COMMANDS = frozenset({"run", "resume", "runs", "doctor", "episodes", "review", "export"})

def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {key: getattr(args, attr, None) for attr, key in OVERRIDE_KEYS.items()}
