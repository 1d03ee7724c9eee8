"""Command-line words are put in the order argparse needs."""

from __future__ import annotations

import pytest

from orchestrator.cli import _with_default_command


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["Write a function"], ["run", "Write a function"]),
        (["-q", "Write a function"], ["run", "-q", "Write a function"]),
        (["doctor"], ["doctor"]),
        (["--json", "episodes", "list"], ["episodes", "list", "--json"]),
        (["--config", "x.yaml", "runs"], ["runs", "--config", "x.yaml"]),
        (["--config", "x.yaml", "do it"], ["run", "--config", "x.yaml", "do it"]),
        (["--help"], ["--help"]),
    ],
)
def test_command_goes_first(argv: list[str], expected: list[str]) -> None:
    assert _with_default_command(argv) == expected
