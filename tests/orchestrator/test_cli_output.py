"""What the CLI prints: text as it is, code alone on a pipe, exit codes, a quick start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from langgraph.graph import START

from nodes.state import initial_state
from orchestrator.graph import build_graph
from orchestrator.runs import open_checkpointer, run_config
from tests.orchestrator.commands import MARKUP_TASK as TASK
from tests.orchestrator.commands import ROOT, main_py

#: A stub whose first line is a type error, whatever the model writes after it.
STUB = (
    'NUMBERS: list[int] = ["one"]\n\n\n'
    "def first(xs: list[int]) -> int:\n"
    '    """Return xs[0], the first of the [bold]numbers[/]."""\n'
)


def cli(*args: str, data: Path, cwd: Path, umask: int = -1) -> subprocess.CompletedProcess[str]:
    return main_py(*args, data=data, cwd=cwd, env={"COLUMNS": "250"}, umask=umask)


@pytest.fixture(scope="module")
def bracket_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One real run on the default model of a task and stub full of brackets, piped, with --out."""
    folder = tmp_path_factory.mktemp("brackets")
    (folder / "stub.py").write_text(STUB, encoding="utf-8")
    (folder / "fast.yaml").write_text("memory:\n  embedder: hash\n", encoding="utf-8")
    result = cli(
        "--config",
        "fast.yaml",
        "--stub",
        "stub.py",
        "--max-cycles",
        "1",
        "--max-tokens",
        "8",
        "--beam-width",
        "2",
        "--out",
        "out.py",
        TASK,
        data=folder / "data",
        cwd=folder,
        umask=0o027,
    )
    return folder, result


def run_id_of(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.split("run ", 1)[1].split(":", 1)[0]


@pytest.mark.model
def test_a_run_left_with_an_error_exits_1_and_says_limit(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, result = bracket_run
    assert result.returncode == 1, result.stderr
    assert "status limit" in result.stderr


@pytest.mark.model
def test_piped_stdout_is_the_code_alone(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = bracket_run
    assert result.stdout.startswith(STUB)
    assert result.stdout == (folder / "out.py").read_text(encoding="utf-8")


@pytest.mark.model
def test_out_says_what_it_wrote_and_follows_the_umask(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = bracket_run
    lines = len((folder / "out.py").read_text(encoding="utf-8").splitlines())
    assert f"wrote {lines} lines of code to out.py" in result.stderr
    assert (folder / "out.py").stat().st_mode & 0o777 == 0o640


@pytest.mark.model
def test_a_type_error_with_brackets_is_shown_whole(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, result = bracket_run
    assert '"list[str]"' in result.stderr
    assert '"list[int]"' in result.stderr


@pytest.mark.model
@pytest.mark.parametrize(
    "command",
    [
        ["runs"],
        ["episodes", "list"],
        ["episodes", "show", "{run}"],
        ["episodes", "search", "[bold]numbers"],
    ],
    ids=["runs", "episodes list", "episodes show", "episodes search"],
)
def test_listings_print_bracketed_text_as_it_is(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]], command: list[str]
) -> None:
    folder, result = bracket_run
    args = [word.format(run=run_id_of(result)) for word in command]
    listing = cli(*args, "--config", "fast.yaml", data=folder / "data", cwd=folder)
    assert listing.returncode == 0, listing.stderr
    assert "xs[/] for a list[int] of [bold]numbers" in listing.stdout


@pytest.mark.model
def test_show_prints_the_findings_brackets(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = bracket_run
    shown = cli(
        "episodes",
        "show",
        run_id_of(result),
        "--config",
        "fast.yaml",
        data=folder / "data",
        cwd=folder,
    )
    assert '"list[str]"' in shown.stdout


@pytest.mark.model
def test_quiet_still_tells_a_script_the_run_was_not_clean(
    bracket_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = bracket_run
    again = cli("-q", "resume", run_id_of(result), data=folder / "data", cwd=folder)
    assert again.returncode == 1, again.stderr
    assert again.stdout == (folder / "out.py").read_text(encoding="utf-8")
    assert again.stderr == ""


def test_runs_prints_a_bracketed_task_of_a_resumable_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with open_checkpointer(data) as saver:
        config = run_config("r1")
        build_graph(saver).update_state(config, initial_state("r1", TASK, None, 2), as_node=START)
    listing = cli("runs", data=data, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "xs[/] for a list[int] of [bold]numbers" in listing.stdout
    assert "resumable" in listing.stdout


HEAVY = ("llama_cpp", "lancedb", "langgraph.graph", "numpy", "nodes.generate", "decoding.generator")


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [(["--help"], ()), (["runs"], ()), (["episodes", "list"], ("lancedb", "numpy"))],
    ids=["--help", "runs", "episodes list"],
)
def test_quick_commands_import_no_heavy_library(
    tmp_path: Path, argv: list[str], allowed: tuple[str, ...]
) -> None:
    probe = (
        "import json, sys\n"
        "from orchestrator.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SUPERCODER_DATA_DIR": str(tmp_path / "data")},
        timeout=120,
        check=True,
    )
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert [m for m in loaded if m not in allowed] == []
