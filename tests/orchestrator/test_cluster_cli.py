"""The batch-on-Ray command line without a model: bad flags, unreachable clusters, task ids."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from config.loader import load_settings
from orchestrator.cluster.driver import task_ids
from orchestrator.tasks import TaskSpec
from tests.orchestrator.commands import ROOT, one_error_line, run_cli


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps({"task": "Write a function that adds two numbers"}) + "\n")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--workers", "0"], "--workers must be at least 1, got 0"),
        (["--workers", "-3"], "--workers must be at least 1, got -3"),
        (["--workers", "two"], "argument --workers: invalid int value: 'two'"),
        (["--ray", "nowhere"], "--ray 'nowhere': expected \"auto\", HOST:PORT or ray://HOST:PORT"),
        (["--ray", "host:port"], 'expected "auto", HOST:PORT or ray://HOST:PORT'),
    ],
)
def test_bad_batch_flags_are_one_line(
    flags: list[str], expected: str, batch: Path, tmp_path: Path
) -> None:
    line = one_error_line(run_cli("run", "--tasks", str(batch), *flags, tmp_path=tmp_path))
    assert expected in line
    assert not (tmp_path / "data" / "memory").exists()  # nothing was opened


def test_workers_without_a_task_file_is_a_usage_error(tmp_path: Path) -> None:
    line = one_error_line(run_cli("run", "--workers", "2", "Write a function", tmp_path=tmp_path))
    assert "--workers and --ray run a batch: give it with --tasks FILE" in line


def test_an_unreachable_cluster_is_one_line_within_seconds(batch: Path, tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    result = run_cli("run", "--tasks", str(batch), "--ray", address, tmp_path=tmp_path)
    line = one_error_line(result)
    assert f"cannot reach the Ray cluster at {address}" in line


def test_a_bad_task_file_fails_before_ray_starts(tmp_path: Path) -> None:
    bad = tmp_path / "tasks.jsonl"
    bad.write_text('{"task": "ok"}\nnot json\n')
    line = one_error_line(run_cli("run", "--tasks", str(bad), "--workers", "2", tmp_path=tmp_path))
    assert f"{bad}:2: not valid JSON" in line


def test_a_missing_model_fails_before_ray_starts(batch: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    result = run_cli(
        "run", "--tasks", str(batch), "--workers", "2", "--model", str(missing), tmp_path=tmp_path
    )
    assert str(missing) in one_error_line(result)


def test_the_single_machine_path_does_not_import_ray() -> None:
    code = (
        "import sys\n"
        "from orchestrator import cli, run_command, resources\n"
        "cli.build_parser()\n"
        "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith(('ray.', "
        "'orchestrator.cluster'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_task_ids_follow_the_task_the_stub_and_the_settings() -> None:
    settings = load_settings(environ={})
    specs = [
        TaskSpec("Write a function that adds two numbers"),
        TaskSpec("Write a function that adds two numbers", "def add(a, b):\n    pass\n"),
        TaskSpec("Write a function that adds two numbers"),
    ]
    ids = task_ids(specs, settings)
    assert len(set(ids)) == 3  # a stub makes another task; a repeat is a task of its own
    assert ids == task_ids(specs, settings)  # stable across invocations
    assert task_ids(specs[:1], settings) == ids[:1]  # and across files holding the task
    other = load_settings(environ={}, overrides={"decoding.max_tokens": 64})
    assert task_ids(specs, other)[0] != ids[0]  # other settings, another task
    assert all(i.startswith("task-") for i in ids)
