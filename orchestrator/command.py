"""What every CLI command handler receives.

Each command group registers its argparse sub-parsers with
``set_defaults(handler=fn)``; ``fn(args, ctx) -> int`` returns the exit code.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from config.settings import Settings


@dataclass(frozen=True)
class CommandContext:
    """Settings and output channels shared by all command handlers."""

    settings: Settings
    console: Console  # stdout, markup off; errors go through the CLI's error path
    json_output: bool  # print one JSON document instead of tables
    quiet: bool  # print only the result
    data_dir: Path


Handler = Callable[[argparse.Namespace, CommandContext], int]
