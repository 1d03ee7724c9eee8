"""The CLI's messages: Ctrl-C said once with the command that resumes, help texts, JSON errors.

A run is interrupted here without a model: the resources a run opens are replaced by a
stand-in whose graph raises ``KeyboardInterrupt`` as Ctrl-C would.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from nodes.progress import ProgressView
from orchestrator import resources, run_command, runner
from orchestrator.cli import main
from orchestrator.command import CommandContext, main_py_command
from tests.orchestrator.commands import ROOT


@pytest.fixture
def ctrl_c_in_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs open no model, and the first step of a run's graph is interrupted by Ctrl-C."""

    @contextmanager
    def stand_in(ctx: CommandContext) -> Iterator[tuple[Any, Any]]:
        progress = ProgressView(
            Console(stderr=True), max_cycles=1, quiet=ctx.quiet or ctx.json_output
        )
        yield SimpleNamespace(settings=ctx.settings, progress=progress), object()

    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_command, "check_prompt_fits", lambda spec, ctx: None)
    monkeypatch.setattr(resources, "open_run_resources", stand_in)
    monkeypatch.setattr(resources, "log_interrupted", lambda graph, run_ctx, run_id: None)
    monkeypatch.setattr(runner, "invoke_to_end", ctrl_c)
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(sys, "argv", ["main.py"])
    monkeypatch.setattr(sys, "executable", str(ROOT / ".venv" / "bin" / "python"))


@pytest.mark.usefixtures("ctrl_c_in_a_run")
def test_ctrl_c_says_interrupted_once_with_the_interpreter_in_use(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["Write a function that adds two numbers"]) == 130
    err = capsys.readouterr().err
    run_id = re.findall(r"^run (\S+): up to", err, re.MULTILINE)[0]
    said = [line for line in err.splitlines() if "interrupted" in line]
    assert said == [f"interrupted; continue with: .venv/bin/python main.py resume {run_id}"]


@pytest.mark.usefixtures("ctrl_c_in_a_run")
def test_ctrl_c_under_json_is_a_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "Write a function that adds two numbers"]) == 130
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["exit_code"] == 130
    assert document["error"].startswith(
        "interrupted; continue with: .venv/bin/python main.py resume "
    )
    assert captured.err.strip() == document["error"]  # the same line, once


@pytest.mark.parametrize(
    ("cwd", "argv0", "executable", "expected"),
    [
        ("{root}", "main.py", "{root}/.venv/bin/python", ".venv/bin/python main.py"),
        ("{root}", "{root}/main.py", "/usr/bin/python3", "/usr/bin/python3 main.py"),
        ("{tmp}", "{root}/main.py", "/usr/bin/python3", "/usr/bin/python3 {root}/main.py"),
        (
            "{tmp}",
            "{home}/sc/main.py",
            "{home}/sc/.venv/bin/python",
            "~/sc/.venv/bin/python ~/sc/main.py",
        ),
        ("{tmp}", "my dir/main.py", "/usr/bin/python3", "/usr/bin/python3 'my dir/main.py'"),
        ("{root}", "-c", "/usr/bin/python3", "/usr/bin/python3 main.py"),  # not started as main.py
    ],
    ids=["venv", "system python", "elsewhere", "home", "a space", "-c"],
)
def test_the_resume_command_is_the_one_in_use(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cwd: str,
    argv0: str,
    executable: str,
    expected: str,
) -> None:
    places = {"root": str(ROOT), "tmp": str(tmp_path / "work"), "home": str(tmp_path / "home")}
    (tmp_path / "work").mkdir()
    monkeypatch.setenv("HOME", places["home"])
    monkeypatch.chdir(cwd.format(**places))
    monkeypatch.setattr(sys, "argv", [argv0.format(**places)])
    monkeypatch.setattr(sys, "executable", executable.format(**places))
    assert main_py_command() == expected.format(**places)


def help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_doctor_help_has_no_rst_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(["doctor", "--help"], capsys)
    assert "`" not in text
    assert "main.py doctor: check every part the product needs" in " ".join(text.split())


def test_top_level_help_shows_the_run_flags(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(["--help"], capsys)
    for flag in ("--stub", "--tests", "--spec", "--tasks", "--out-dir", "--max-tokens", "--model"):
        assert flag in text
    assert 'main.py "TASK" is short for main.py run "TASK"' in text
