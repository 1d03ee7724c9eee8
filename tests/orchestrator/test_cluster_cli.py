"""The batch-on-Ray command line without a model: bad flags, unreachable clusters, task ids,
and what the driver writes to ``--out-dir`` and ``--json``."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from config.loader import load_settings
from memory.episode import Outcome
from orchestrator.batch import OutDir
from orchestrator.cluster.driver import _commit, task_ids
from orchestrator.cluster.tasks import BatchStats, BatchTask
from orchestrator.cluster.view import BatchProgress, print_summary
from orchestrator.cluster.worker import TaskResult
from orchestrator.command import CommandContext
from orchestrator.tasks import TaskSpec
from tests.memory.factories import make_episode, two_cycle_episode
from tests.orchestrator.commands import ROOT, one_error_line, run_cli

ADD = "def add(a: int, b: int) -> int:\n    return a + b\n"


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


def ray_tasks() -> list[BatchTask]:
    """Four tasks of a Ray batch: one returned by a worker, one stored before, one failed and
    one unfinished."""
    specs = [TaskSpec(f"task {label}", label=label) for label in ("HumanEval/0", "b", "c", "d")]
    tasks = [BatchTask(index=i, spec=s, task_id=f"task-{i}") for i, s in enumerate(specs)]
    tasks[0].result = TaskResult(
        "task-0", "clean", 2, 1.5, two_cycle_episode("task-0", final_code=ADD), "", "pid 1 on h"
    )
    tasks[1].previous = make_episode("task-1", outcome=Outcome.LIMIT)
    tasks[2].result = TaskResult("task-2", "failed", 0, 0.1, None, "the context holds 512", "w")
    return tasks


def test_a_ray_batch_writes_each_committed_task_to_out_dir(tmp_path: Path) -> None:
    tasks = ray_tasks()
    out = OutDir(tmp_path / "out", [t.spec for t in tasks])
    out.record(1, tasks[1].outcome())  # stored before: written before the workers start
    progress = BatchProgress(Console(file=io.StringIO()), total=3, quiet=True)
    stats = BatchStats(workers=1, threads_per_worker=1, cluster="local")
    store = SimpleNamespace(add_many=len)
    _commit([tasks[0], tasks[2]], store, progress, stats, out)  # type: ignore[arg-type]
    manifest = [json.loads(line) for line in (out.path / "manifest.jsonl").read_text().splitlines()]
    assert [(e["id"], e["status"], e["file"], e["episode_id"]) for e in manifest] == [
        ("HumanEval/0", "clean", "HumanEval_0.py", "task-0"),
        ("b", "limit", "b.py", "task-1"),
        ("c", "failed", None, None),
        ("d", "unfinished", None, None),
    ]
    assert manifest[0]["findings"] == []  # of the returned code, not of the first cycle's
    assert manifest[2]["error"] == "the context holds 512"
    assert (out.path / "HumanEval_0.py").read_text(encoding="utf-8") == ADD


def test_a_ray_batchs_json_names_each_tasks_code_and_file(tmp_path: Path) -> None:
    tasks = ray_tasks()
    out = OutDir(tmp_path / "out", [t.spec for t in tasks])
    for task in tasks[:3]:
        out.record(task.index, task.outcome())
    console = Console(file=io.StringIO(), width=200)
    ctx = CommandContext(
        settings=load_settings(environ={}),
        console=console,
        json_output=True,
        quiet=False,
        data_dir=tmp_path,
    )
    print_summary(
        tasks, BatchStats(workers=1, threads_per_worker=1, cluster="local"), ctx, out_dir=out
    )
    document = json.loads(console.file.getvalue())  # type: ignore[attr-defined]
    assert [(t["label"], t["code"], t["file"]) for t in document["tasks"]] == [
        ("HumanEval/0", ADD, "HumanEval_0.py"),
        ("b", make_episode("x").final_code, "b.py"),
        ("c", None, None),
        ("d", None, None),
    ]
