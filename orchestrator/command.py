"""What every CLI command shares: its context, the exit codes, the argument types.

Each command group registers its argparse sub-parsers with
``set_defaults(handler=fn)``; ``fn(args, ctx) -> int`` returns the exit code.
The CLI (``orchestrator.cli``) and every command module import this module;
it imports none of them.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from config.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from config.settings import Settings


EXIT_CLEAN = 0
EXIT_NOT_CLEAN = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class CommandContext:
    """Settings and output channels shared by all command handlers."""

    settings: Settings
    console: Console  # stdout, markup off; errors go through the CLI's error path
    json_output: bool  # print one JSON document instead of tables
    quiet: bool  # print only the result
    data_dir: Path


Handler = Callable[[argparse.Namespace, CommandContext], int]

#: Command-line attribute -> settings key. ``None`` values mean "not given".
OVERRIDE_KEYS: dict[str, str] = {
    "model": "model.path",
    "n_ctx": "model.n_ctx",
    "n_gpu_layers": "model.n_gpu_layers",
    "seed": "model.seed",
    "max_tokens": "decoding.max_tokens",
    "temperature": "decoding.temperature",
    "entropy_threshold": "decoding.entropy_threshold",
    "beam_width": "decoding.beam_width",
    "log_every": "decoding.log_every",
    "use_sabs": "sabs.enabled",
    "sabs_lambda": "sabs.lambda_weight",
    "sabs_hard_fail": "sabs.hard_fail_on_critical",
    "sabs_log": "sabs.log_path",
    "max_cycles": "cycles.max_cycles",
    "verify": "verify.enabled",
}
#: Flags not spelled ``--`` + their attribute with dashes.
_FLAG_SPELLINGS = {"sabs_hard_fail": "--sabs-no-hard-fail"}


def flag_of(attr: str) -> str:
    """The command-line flag that sets attribute ``attr`` of ``OVERRIDE_KEYS``: ``--max-tokens``."""
    return _FLAG_SPELLINGS.get(attr) or "--" + attr.replace("_", "-")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, with the one line that says what was kept and how to go on; the CLI prints it
    once and exits 130."""

    @property
    def message(self) -> str:
        """The line for the user."""
        return str(self.args[0]) if self.args else "interrupted"


def main_py_command() -> str:
    """How to start ``main.py`` again as it was started: this interpreter and this ``main.py``,
    each relative to the working directory when under it (``.venv/bin/python main.py``)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if script.name != "main.py":  # started another way (``-m``, a test): the project's main.py
        script = Path(__file__).resolve().parents[1] / "main.py"
    return f"{_short(Path(sys.executable))} {_short(script)}"


def _short(path: Path) -> str:
    """``path`` relative to the working directory when under it, ``~/...`` under the home
    folder, else absolute; quoted for a shell."""
    absolute = Path.cwd() / path  # not resolved: .venv/bin/python stays itself
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        if absolute.is_relative_to(base):
            return prefix + shlex.quote(str(absolute.relative_to(base)))
    return shlex.quote(str(absolute))


def entropy_threshold(value: str) -> float | str:
    """argparse type for ``--entropy-threshold``: a number or ``auto``."""
    if value == "auto":
        return value
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number or "auto", got {value!r}') from None


def read_text_file(path: Path, *, what: str) -> str:
    """Read a UTF-8 text file named on the command line, or raise ``UsageError``."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} {path} does not exist") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"{what} {path} cannot be read: {exc.strerror}") from None


def confirm(question: str, *, yes: bool) -> bool:
    """Whether the person agrees to ``question``: ``yes`` (``--yes``) agrees for them; without
    a terminal to ask there is no answer, which is a usage error."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(f"{question} needs a yes: pass --yes when there is no terminal to ask")
    from rich.console import Console
    from rich.prompt import Confirm

    console = Console(stderr=True, highlight=False, markup=False)
    return Confirm.ask(question, default=False, console=console)
