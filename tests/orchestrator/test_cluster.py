"""Batches on a real local Ray instance with real workers on the default model.

Each test starts the CLI as a user would (``main.py run --tasks FILE
--workers N``): Ray starts and stops inside the command, the workers load
the model, and the episodes land in a real LanceDB store that the test
reads afterwards. Short tasks, one beam and 24 tokens keep each task to a
few seconds on one CPU thread.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from memory.embedding import make_embedder
from memory.store import EpisodeStore
from tests.orchestrator.commands import ctrl_c_as_at_a_terminal, main_command, main_py

pytestmark = pytest.mark.model

TASKS = [
    "Write a function that returns the larger of two integers",
    "Write a function that returns the square of a number",
    "Write a function that reverses a string",
]
FAST = """\
model:
  n_ctx: 512
decoding:
  max_tokens: 24
  beam_width: 1
cycles:
  max_cycles: 1
memory:
  embedder: hash
"""
STARTED = re.compile(r"^task (\S+) started on worker pid (\d+)")


@pytest.fixture
def ray_tmp() -> Iterator[Path]:
    """A short TMPDIR for the command (Ray's socket paths must stay short); must end empty."""
    path = Path(tempfile.mkdtemp(prefix="sc-", dir="/tmp"))
    yield path
    for child in path.iterdir():
        (child.rmdir if child.is_dir() else child.unlink)()
    path.rmdir()


def write_batch(tmp_path: Path, tasks: list[dict[str, str]]) -> tuple[Path, Path]:
    config = tmp_path / "fast.yaml"
    config.write_text(FAST, encoding="utf-8")
    batch = tmp_path / "tasks.jsonl"
    batch.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    return config, batch


def batch_args(config: Path, batch: Path, *extra: str) -> list[str]:
    """``main.py``'s arguments that run the batch file ``batch`` with ``config``."""
    return ["run", "--tasks", str(batch), "--config", str(config), *extra]


def environment(tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp)}


def stored(tmp_path: Path) -> EpisodeStore:
    return EpisodeStore.open(tmp_path / "data" / "memory", make_embedder("hash"))


def test_a_batch_lands_one_episode_per_task_and_a_too_long_task_fails_once(
    tmp_path: Path, ray_tmp: Path
) -> None:
    long_stub = 'def f(x):\n    """' + "Return x unchanged, whatever it is. " * 120 + '"""\n'
    config, batch = write_batch(
        tmp_path,
        [{"task": t} for t in TASKS[:2]]
        + [{"task": "Complete the function", "stub": long_stub, "id": "too-long"}]
        + [{"task": TASKS[2]}],
    )
    result = main_py(
        *batch_args(config, batch, "--workers", "2", "--json"), env={"TMPDIR": str(ray_tmp)}
    )
    assert result.returncode == 2, result.stderr  # a task failed: the batch's exit code says so
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    by_label = {t["label"]: t for t in document["tasks"]}
    assert by_label["too-long"]["status"] == "failed"
    assert "the context holds 512" in by_label["too-long"]["error"]
    assert by_label["too-long"]["episode_id"] is None
    finished = [t for t in document["tasks"] if t["label"] != "too-long"]
    assert all(t["status"] in ("clean", "limit") and t["cycles"] == 1 for t in finished)
    assert len({t["worker"] for t in finished}) == 2  # both workers ran tasks
    assert document["batch"]["workers"] == 2
    assert document["batch"]["threads_per_worker"] >= 1
    assert document["batch"]["episodes_written"] == 3

    store = stored(tmp_path)
    assert store.count() == 3
    for task in finished:
        episode = store.get(task["task_id"])
        assert episode is not None
        assert episode.task == task["task"]
        assert episode.final_code == task["code"]
        assert len(episode.attempts) == 1


def test_a_worker_killed_mid_task_still_yields_every_episode_once(
    tmp_path: Path, ray_tmp: Path
) -> None:
    config, batch = write_batch(tmp_path, [{"task": t} for t in TASKS])
    lines: list[str] = []
    killed: tuple[str, int] | None = None
    deadline = time.monotonic() + 600
    with subprocess.Popen(
        main_command(*batch_args(config, batch, "--workers", "2")),
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=environment(ray_tmp),
    ) as process:
        assert process.stderr is not None and process.stdout is not None
        for line in process.stderr:
            lines.append(line)
            started = STARTED.match(line)
            if started and killed is None:
                time.sleep(2.0)  # the task is generating now (it takes several seconds)
                killed = (started.group(1), int(started.group(2)))
                os.kill(killed[1], signal.SIGKILL)
            assert time.monotonic() < deadline
        summary = process.stdout.read()
        code = process.wait(timeout=60)
    log = "".join(lines)
    assert code in (0, 1), log
    assert killed is not None, log
    label, pid = killed
    assert f"task {label}: worker pid {pid} " in log
    assert "died while running it" in log
    retried = [m for m in (STARTED.match(line) for line in lines) if m and m.group(1) == label]
    assert len(retried) == 2 and int(retried[1].group(2)) != pid  # rerun on another worker
    assert "Traceback" not in log
    assert "batch summary" in summary

    store = stored(tmp_path)
    episodes = store.list()
    assert store.count() == len(TASKS)
    assert sorted(e.task for e in episodes) == sorted(TASKS)
    assert len({e.id for e in episodes}) == len(TASKS)


def test_ctrl_c_keeps_finished_episodes_and_the_same_command_runs_the_rest(
    tmp_path: Path, ray_tmp: Path
) -> None:
    config, batch = write_batch(tmp_path, [{"task": t} for t in TASKS])
    lines: list[str] = []
    with subprocess.Popen(
        main_command(*batch_args(config, batch, "--workers", "1")),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        env=environment(ray_tmp),
        preexec_fn=ctrl_c_as_at_a_terminal,
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if re.match(r"^task \S+ (clean|limit) in ", line):
                process.send_signal(signal.SIGINT)
                break
        lines.extend(process.stderr)
        code = process.wait(timeout=120)
    log = "".join(lines)
    assert code == 130, log
    found = re.search(
        r"interrupted: (\d+) episode\(s\) of this batch were stored; (\d+) unfinished", log
    )
    assert found, log
    kept, unfinished = int(found.group(1)), int(found.group(2))
    assert kept >= 1 and unfinished >= 1 and kept + unfinished == len(TASKS)
    assert stored(tmp_path).count() == kept

    resumed = main_py(
        *batch_args(config, batch, "--workers", "1", "--json"), env={"TMPDIR": str(ray_tmp)}
    )
    assert resumed.returncode in (0, 1), resumed.stderr
    document = json.loads(resumed.stdout)
    assert [t["already_stored"] for t in document["tasks"]].count(True) == kept
    assert document["batch"]["episodes_written"] == unfinished
    assert stored(tmp_path).count() == len(TASKS)


def test_joining_a_running_cluster_leaves_it_running(tmp_path: Path, ray_tmp: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    head_dir = ray_tmp / "head"
    head = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ray")),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--num-cpus=2",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={head_dir}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(ray_tmp),
    )
    try:
        deadline = time.monotonic() + 120
        while True:  # the head's GCS accepts connections once it is up
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert head.poll() is None and time.monotonic() < deadline
                time.sleep(1)
        config, batch = write_batch(tmp_path, [{"task": t} for t in TASKS[:2]])
        result = main_py(
            *batch_args(config, batch, "--ray", f"127.0.0.1:{port}", "--workers", "2", "--json"),
            env={"TMPDIR": str(ray_tmp)},
        )
        assert result.returncode in (0, 1), result.stderr
        document = json.loads(result.stdout)
        assert document["batch"]["cluster"] == f"127.0.0.1:{port}"
        assert (document["batch"]["workers"], document["batch"]["threads_per_worker"]) == (2, 1)
        assert stored(tmp_path).count() == 2
        assert head.poll() is None  # the cluster the command joined is still running
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        head.terminate()
        head.wait(timeout=60)
        shutil.rmtree(head_dir, ignore_errors=True)
