"""A batch in this process and ``--out-dir``: one file per task, a manifest, the code in --json.

The batch runs here without a model: the resources a run opens are replaced by a
stand-in, and each task's run by a report made up for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from config.errors import UsageError
from decoding.errors import PromptTooLongError
from orchestrator import resources, runner
from orchestrator.batch import (
    MANIFEST,
    OutDir,
    TaskOutcome,
    check_out_dir,
    checks_passed,
    file_names,
)
from orchestrator.cli import main
from orchestrator.command import CommandContext, Interrupted
from orchestrator.report import RunReport
from orchestrator.tasks import TaskSpec

ADD = "def add(a: int, b: int) -> int:\n    return a + b\n"
FINDING = {
    "line": 1,
    "col": 0,
    "tool": "ruff",
    "rule": "E501",
    "severity": "WARNING",
    "message": "line too long",
}
CHECKS = [
    {"label": "add(1, 2) == 3", "origin": "example", "outcome": "passed"},
    {"label": "add(2, 2) == 4", "origin": "user", "outcome": "failed"},
    {"label": "add(0, 0) == 0", "origin": "model", "outcome": "passed"},  # ranks only
]


def read_manifest(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["HumanEval/0", "HumanEval/1"], ["HumanEval_0.py", "HumanEval_1.py"]),
        (["a b", "a  b"], ["a_b.py", "a_b-2.py"]),
        (["Add", "add", "add-2"], ["Add.py", "add-2.py", "add-2-2.py"]),
        (
            ["../../etc/passwd", ".hidden", "-rf", ""],
            ["_.._etc_passwd.py", "hidden.py", "rf.py", "task.py"],
        ),
        (["tâche", "1"], ["t_che.py", "1.py"]),
        (["x" * 300], ["x" * 80 + ".py"]),
    ],
    ids=["slashes", "spaces", "case", "paths", "non-ascii", "long"],
)
def test_file_names_are_safe_and_distinct(labels: list[str], expected: list[str]) -> None:
    assert file_names(labels) == expected


def test_checks_passed_counts_the_tasks_own_checks_only() -> None:
    assert checks_passed(CHECKS) == {"passed": 1, "total": 2}
    assert checks_passed([]) is None


@pytest.mark.parametrize("existing", [False, True], ids=["to create", "existing"])
def test_a_writable_out_dir_passes_and_is_not_created_yet(tmp_path: Path, existing: bool) -> None:
    folder = tmp_path / "out"
    if existing:
        folder.mkdir()
    check_out_dir(folder, [TaskSpec("t", label="a")], force=False)
    assert folder.exists() is existing
    assert not existing or list(folder.iterdir()) == []


def test_an_out_dir_file_of_another_origin_needs_force(tmp_path: Path) -> None:
    (tmp_path / "utils.py").write_text("keep me\n", encoding="utf-8")
    specs = [TaskSpec("t", label="utils")]
    with pytest.raises(UsageError, match=r"holds utils\.py, which this batch did not write"):
        check_out_dir(tmp_path, specs, force=False)
    check_out_dir(tmp_path, specs, force=True)


def test_a_batch_may_rewrite_the_files_its_manifest_lists(tmp_path: Path) -> None:
    specs = [TaskSpec("t", label="utils")]
    OutDir(tmp_path, specs).record(0, TaskOutcome(status="clean", code=ADD))
    check_out_dir(tmp_path, specs, force=False)


def test_out_dir_writes_each_task_and_a_manifest_of_all(tmp_path: Path) -> None:
    specs = [TaskSpec("add", label="HumanEval/0"), TaskSpec("long", label="x"), TaskSpec("later")]
    out = OutDir(tmp_path / "out", specs)
    out.record(0, TaskOutcome("limit", ADD.rstrip("\n"), [FINDING], CHECKS, episode_id="r1"))
    out.record(1, TaskOutcome("failed", None, error="PromptTooLongError: too long"))
    assert (tmp_path / "out" / "HumanEval_0.py").read_text(encoding="utf-8") == ADD
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["HumanEval_0.py", MANIFEST]
    assert read_manifest(tmp_path / "out") == [
        {
            "id": "HumanEval/0",
            "task": "add",
            "status": "limit",
            "file": "HumanEval_0.py",
            "findings": [FINDING],
            "checks": {"passed": 1, "total": 2},
            "episode_id": "r1",
            "error": None,
        },
        {
            "id": "x",
            "task": "long",
            "status": "failed",
            "file": None,
            "findings": [],
            "checks": None,
            "episode_id": None,
            "error": "PromptTooLongError: too long",
        },
        {
            "id": "3",
            "task": "later",
            "status": "unfinished",
            "file": None,
            "findings": [],
            "checks": None,
            "episode_id": None,
            "error": None,
        },
    ]


@pytest.fixture
def batch_without_a_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A task file of three tasks; the second is too long, the third is interrupted if its
    text says so; the others end at the cycle limit with ``ADD``."""
    tasks = tmp_path / "tasks.jsonl"
    lines = [
        {"id": "HumanEval/0", "task": "Write a function that adds two numbers"},
        {"id": "long", "task": "Write a very long function"},
        {"task": "Write a function that subtracts"},
    ]
    tasks.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    @contextmanager
    def stand_in(ctx: CommandContext) -> Iterator[tuple[Any, Any]]:
        yield object(), object()

    def execute_run(graph: Any, run_ctx: Any, ctx: Any, spec: TaskSpec, *, yes: bool) -> RunReport:
        if "long" in spec.task:
            raise PromptTooLongError(9000, 256, 4096)
        if "Ctrl-C" in spec.task:
            raise Interrupted("interrupted; continue with: python main.py resume r3")
        return RunReport(
            run_id=f"run-{spec.label}",
            status="limit",
            code=ADD,
            findings=[FINDING],
            cycles=1,
            seconds=0.1,
            episode_id=f"run-{spec.label}",
            completeness=1.0,
            checks=CHECKS,
        )

    monkeypatch.setattr(resources, "open_run_resources", stand_in)
    monkeypatch.setattr(runner, "execute_run", execute_run)
    return tasks


def test_a_batch_writes_the_code_and_json_shows_it(
    batch_without_a_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["run", "--tasks", str(batch_without_a_model), "--out-dir", str(out), "--json"]
    assert main(argv) == 2  # a task failed
    document = json.loads(capsys.readouterr().out)
    assert [(t["label"], t["code"], t["file"]) for t in document] == [
        ("HumanEval/0", ADD, "HumanEval_0.py"),
        ("long", None, None),
        ("3", ADD, "3.py"),
    ]
    assert "the context holds 4096" in document[1]["error"]
    manifest = read_manifest(out)
    assert [(e["id"], e["status"], e["file"]) for e in manifest] == [
        ("HumanEval/0", "limit", "HumanEval_0.py"),
        ("long", "failed", None),
        ("3", "limit", "3.py"),
    ]
    assert (out / "3.py").read_text(encoding="utf-8") == ADD


def test_a_batch_says_where_it_wrote_the_code(
    batch_without_a_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", "--tasks", str(batch_without_a_model), "--out-dir", str(out)]) == 2
    assert f"wrote 2 code file(s) and {MANIFEST} to {out}" in capsys.readouterr().out


def test_an_interrupted_batch_keeps_the_ended_tasks_files_and_says_so_once(
    batch_without_a_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = batch_without_a_model.read_text(encoding="utf-8").replace("subtracts", "Ctrl-C")
    batch_without_a_model.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--tasks", str(batch_without_a_model), "--out-dir", str(out)]) == 130
    said = [line for line in capsys.readouterr().err.splitlines() if "interrupted" in line]
    assert said == [
        "interrupted; continue with: python main.py resume r3 (task 3; 2 of 3 tasks had ended; "
        f"their code is in {out})"
    ]
    assert [e["status"] for e in read_manifest(out)] == ["limit", "failed", "unfinished"]
    assert (out / "HumanEval_0.py").exists()
