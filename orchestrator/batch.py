"""A batch run in this process, and the files a batch writes with ``--out-dir``.

A batch on Ray workers is ``orchestrator.cluster``; this one loads the model
once and runs every task through the same graph in sequence. Both write the
same ``--out-dir``: one ``.py`` per task, named from its id, and
``manifest.jsonl``, one line per task of the file (task, id, status, file,
findings, checks passed). Each file is written whole or not at all, as its
task ends, and the manifest is rewritten with it, so an interrupted batch
leaves the code of every finished task and a manifest that says which they
are. Running the batch again rewrites the files it wrote; a file of another
origin is not overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.errors import UsageError
from orchestrator.command import EXIT_ERROR, CommandContext, Interrupted
from orchestrator.tasks import TaskSpec
from verify.checks import judged_own

if TYPE_CHECKING:
    from orchestrator.report import RunReport

#: The manifest's name in ``--out-dir``.
MANIFEST = "manifest.jsonl"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_LONGEST_STEM = 80


def run_sequential(specs: list[TaskSpec], args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run every task in sequence; a failing task is recorded and the batch goes on.

    Exits 2 if a task failed, else 1 if a task did not end clean, else 0.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from orchestrator import resources
    from orchestrator.rendering import batch_table, stderr_console
    from orchestrator.runner import execute_run

    out_dir = OutDir(args.out_dir, specs) if args.out_dir is not None else None
    reports: list[tuple[TaskSpec, RunReport | None, str]] = []
    with (
        resources.open_run_resources(ctx) as (run_ctx, graph),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=stderr_console(),
            disable=ctx.quiet or ctx.json_output,
        ) as bar,
    ):
        overall = bar.add_task("tasks", total=len(specs))
        for index, spec in enumerate(specs):
            try:
                report = execute_run(graph, run_ctx, ctx, spec, yes=args.yes)
                reports.append((spec, report, ""))
            except KeyboardInterrupt as exc:
                said = exc.message if isinstance(exc, Interrupted) else "interrupted"
                kept = f"; their code is in {out_dir.path}" if out_dir is not None else ""
                raise Interrupted(
                    f"{said} (task {spec.label}; {index} of {len(specs)} tasks had ended{kept})"
                ) from None
            except Exception as exc:  # one failing task must not stop the batch
                reports.append((spec, None, f"{type(exc).__name__}: {exc}"))
            if out_dir is not None:
                out_dir.record(index, outcome_of_report(*reports[-1]))
            bar.advance(overall)
    if ctx.json_output:
        entries = []
        for index, (spec, report, error) in enumerate(reports):
            entry = {"label": spec.label, "task": spec.task, "error": error, "code": None}
            entry |= report.to_dict() if report is not None else {}
            entries.append(entry | {"file": out_dir.file_of(index) if out_dir else None})
        ctx.console.print_json(json.dumps(entries, ensure_ascii=False))
    else:
        ctx.console.print(batch_table(reports))
        if out_dir is not None:
            ctx.console.print(out_dir.summary())
    return max(r.exit_code if r is not None else EXIT_ERROR for _, r, _ in reports)


@dataclass(frozen=True)
class TaskOutcome:
    """What became of one task of a batch, as the manifest records it."""

    status: str  # clean, limit, ... for a run; failed; unfinished
    code: str | None  # the code returned (None: no run ended)
    findings: Sequence[Mapping[str, Any]] = ()  # of the returned code
    checks: Sequence[Mapping[str, Any]] = ()  # the verdicts of the returned code's checks
    episode_id: str | None = None
    error: str = ""  # why the task failed


def outcome_of_report(spec: TaskSpec, report: RunReport | None, error: str) -> TaskOutcome:
    """The outcome of a task run in this process: its report, or the error that stopped it."""
    if report is None:
        return TaskOutcome(status="failed", code=None, error=error)
    return TaskOutcome(
        status=report.status,
        code=report.code,
        findings=report.findings,
        checks=report.checks,
        episode_id=report.episode_id,
    )


def checks_passed(checks: Sequence[Mapping[str, Any]]) -> dict[str, int] | None:
    """``{"passed": 3, "total": 4}`` for the task's own examples and tests (the model's tests
    only rank, so they are not counted); None when the sandbox could judge none."""
    own = judged_own(checks)
    if not own:
        return None
    return {"passed": sum(c.get("outcome") == "passed" for c in own), "total": len(own)}


def task_labels(specs: Sequence[TaskSpec]) -> list[str]:
    """Each task's id: its ``id`` in the task file, else its place in the batch (from 1)."""
    return [spec.label or str(i + 1) for i, spec in enumerate(specs)]


def file_names(labels: Sequence[str]) -> list[str]:
    """A safe ``.py`` name for each task id, distinct even where the file system ignores case:
    each run of characters other than ASCII letters, digits, ``.``, ``_`` and ``-`` becomes
    ``_`` (``HumanEval/0`` -> ``HumanEval_0.py``), no name starts with ``.`` or ``-``, and
    a name taken already gets ``-2``, ``-3``, ..."""
    taken: set[str] = set()
    names: list[str] = []
    for label in labels:
        stem = _UNSAFE.sub("_", label).lstrip(".-")[:_LONGEST_STEM] or "task"
        name, repeat = stem, 1
        while name.lower() in taken:
            repeat += 1
            name = f"{stem}-{repeat}"
        taken.add(name.lower())
        names.append(name + ".py")
    return names


def check_out_dir(path: Path, specs: Sequence[TaskSpec], *, force: bool) -> None:
    """Raise ``UsageError`` unless the batch's files can be written in ``path`` (a folder, or
    one to create in an existing folder) without overwriting a file the batch did not write
    (one its manifest does not list), unless ``force``; before any work."""
    from config.files import check_writable

    if path.exists() and not path.is_dir():
        raise UsageError(f"--out-dir {path} is not a folder")
    try:
        check_writable(path / MANIFEST if path.is_dir() else path)
    except OSError as exc:
        raise UsageError(f"--out-dir {path}: cannot write files there ({exc.strerror})") from None
    if force or not path.is_dir():
        return
    ours = _listed_files(path / MANIFEST)
    clashing = [
        name
        for name in file_names(task_labels(specs))
        if (path / name).exists() and name not in ours
    ]
    if clashing:
        raise UsageError(
            f"--out-dir {path} holds {clashing[0]}, which this batch did not write; "
            "pass --force to overwrite it"
        )


def _listed_files(manifest: Path) -> set[str]:
    """The files an earlier batch's manifest lists (none if it is missing or unreadable)."""
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    listed: set[str] = set()
    for line in lines:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            listed.add(entry["file"])
    return listed


@dataclass
class OutDir:
    """``--out-dir``: the batch's code files and their manifest, written as tasks end."""

    path: Path
    specs: Sequence[TaskSpec]
    _labels: list[str] = field(init=False)
    _files: list[str] = field(init=False)
    _outcomes: dict[int, TaskOutcome] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._labels = task_labels(self.specs)
        self._files = file_names(self._labels)

    def file_of(self, index: int) -> str | None:
        """The file task ``index`` was written to (relative to the folder), if it was."""
        outcome = self._outcomes.get(index)
        return self._files[index] if outcome is not None and outcome.code else None

    def record(self, index: int, outcome: TaskOutcome) -> None:
        """Write task ``index``'s code (if it has any) and the manifest, each atomically."""
        from config.files import atomic_writer

        self._outcomes[index] = outcome
        try:
            self.path.mkdir(exist_ok=True)
            code = outcome.code
            if code:
                with atomic_writer(self.path / self._files[index]) as handle:
                    handle.write(code if code.endswith("\n") else code + "\n")
            with atomic_writer(self.path / MANIFEST) as handle:
                handle.writelines(
                    json.dumps(entry, ensure_ascii=False) + "\n" for entry in self.manifest()
                )
        except OSError as exc:
            raise UsageError(f"--out-dir {self.path}: cannot write ({exc.strerror})") from None

    def manifest(self) -> list[dict[str, Any]]:
        """One entry per task of the batch, in the file's order; ``unfinished`` for a task
        not recorded yet."""
        entries = []
        for index, spec in enumerate(self.specs):
            outcome = self._outcomes.get(index) or TaskOutcome(status="unfinished", code=None)
            entries.append(
                {
                    "id": self._labels[index],
                    "task": spec.task,
                    "status": outcome.status,
                    "file": self.file_of(index),
                    "findings": [dict(f) for f in outcome.findings],
                    "checks": checks_passed(outcome.checks),
                    "episode_id": outcome.episode_id,
                    "error": outcome.error or None,
                }
            )
        return entries

    def summary(self) -> str:
        """``wrote 3 code files and manifest.jsonl to DIR``."""
        written = sum(1 for i in range(len(self.specs)) if self.file_of(i))
        return f"wrote {written} code file(s) and {MANIFEST} to {self.path}"
