"""``main.py run``, ``resume`` and ``runs``: start, continue and list runs of the loop.

What can be checked without the model (the task, the stub, the ``--out``
target, the run to resume) is checked before the model loads. A run that
fails on its input before its first cycle is judged is removed, so no run is
left behind that could never succeed. ``resume`` continues with the settings
the run started with.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.errors import UsageError, UserError
from orchestrator.cli import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_NOT_CLEAN,
    OVERRIDE_KEYS,
    entropy_threshold,
    read_text_file,
)
from orchestrator.command import CommandContext

if TYPE_CHECKING:
    from rich.console import Console

    from config.settings import Settings
    from orchestrator.context import RunContext
    from orchestrator.graph import LoopGraph
    from orchestrator.state import RunState

#: Flags ``resume`` accepts: they change how the run is decoded, not what it is.
RESUME_OVERRIDES = ("n_ctx", "max_tokens", "n_gpu_layers")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``run``, ``resume`` and ``runs`` commands."""
    run = subparsers.add_parser(
        "run", parents=[common], help="generate code for a task (default command)"
    )
    run.add_argument("task", nargs="?", help='what to write, e.g. "Write a function that ..."')
    run.add_argument(
        "--stub", type=Path, help="Python file with imports, signature and docstring to complete"
    )
    run.add_argument(
        "--tasks",
        type=Path,
        help='JSONL file of tasks to run in sequence ({"task": ..., "stub": ...})',
    )
    run.add_argument(
        "--workers",
        type=int,
        help="run the --tasks batch on N Ray workers, each with the model loaded once",
    )
    run.add_argument(
        "--ray",
        metavar="ADDRESS",
        help='join the Ray cluster at ADDRESS ("auto", HOST:6379, ray://HOST:10001) for the '
        "batch; without it --workers starts a local Ray instance",
    )
    run.add_argument("--out", type=Path, help="write the final code to this file")
    run.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    run.add_argument(
        "--yes", action="store_true", help="answer the human gate with 'continue' unattended"
    )
    _add_generation_flags(run)
    run.set_defaults(handler=handle_run)

    resume = subparsers.add_parser(
        "resume",
        parents=[common],
        help="continue an interrupted or paused run with the settings it started with",
    )
    resume.add_argument("run_id", help="the run id printed when the run started (see `runs`)")
    resume.add_argument(
        "--yes", action="store_true", help="answer the human gate with 'continue' unattended"
    )
    changes = resume.add_argument_group("what may change (the rest is as the run started)")
    changes.add_argument("--n-ctx", type=int, help="context length in tokens")
    changes.add_argument("--max-tokens", type=int, help="tokens to generate at most per cycle")
    changes.add_argument("--n-gpu-layers", type=int, help="layers to offload to a GPU (-1: all)")
    resume.set_defaults(handler=handle_resume)

    runs = subparsers.add_parser("runs", parents=[common], help="list runs and their status")
    runs.set_defaults(handler=handle_runs)


def _add_generation_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and decoding (override the YAML)")
    group.add_argument("--model", help='GGUF file, or "default" for the embedded model')
    group.add_argument("--n-ctx", type=int, help="context length in tokens")
    group.add_argument("--n-gpu-layers", type=int, help="layers to offload to a GPU (-1: all)")
    group.add_argument("--max-tokens", type=int, help="tokens to generate at most per cycle")
    group.add_argument("--temperature", type=float, help="0 = greedy")
    group.add_argument(
        "--entropy-threshold", type=entropy_threshold, help='branching threshold or "auto"'
    )
    group.add_argument("--beam-width", type=int, help="beams kept at most")
    group.add_argument("--seed", type=int, help="random seed")
    group.add_argument("--log-every", type=int, help="progress every N decoding steps (0: quiet)")
    group.add_argument("--max-cycles", type=int, help="improvement cycles at most")
    sabs = parser.add_argument_group("security-aware beam search")
    sabs.add_argument(
        "--use-sabs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="check beams while decoding",
    )
    sabs.add_argument(
        "--sabs-lambda", type=float, help="weight of the security penalty in beam scores"
    )
    sabs.add_argument(
        "--sabs-no-hard-fail",
        dest="sabs_hard_fail",
        action="store_const",
        const=False,
        default=None,
        help="penalise CRITICAL findings instead of failing the beam",
    )
    sabs.add_argument("--sabs-log", help="JSONL file for SABS decisions")


@dataclass
class TaskSpec:
    """One task to run: its text and optional stub."""

    task: str
    stub: str | None = None
    label: str = ""


@dataclass
class RunReport:
    """What a finished (or paused) run printed and returned."""

    run_id: str
    status: str
    code: str
    findings: list[dict[str, Any]]
    cycles: int
    seconds: float
    episode_id: str | None
    completeness: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    reflect_seconds: list[float] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when the run ended clean, 1 otherwise."""
        return EXIT_CLEAN if self.status == "clean" else EXIT_NOT_CLEAN

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "code": self.code,
            "findings": self.findings,
            "completeness": self.completeness,
            "cycles": self.cycles,
            "seconds": round(self.seconds, 3),
            "episode_id": self.episode_id,
            "stats": [
                {
                    "cycle": a["cycle"],
                    "decoding": a["decoding_stats"],
                    "sabs": a["sabs_stats"],
                    "tool_seconds": a["tool_seconds"],
                    "generate_seconds": a["generate_seconds"],
                    "reflect_seconds": (
                        self.reflect_seconds[i] if i < len(self.reflect_seconds) else None
                    ),
                }
                for i, a in enumerate(self.attempts)
            ],
        }


def handle_run(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run one task (or a batch from ``--tasks``) through the loop."""
    from nodes.prompting import validate_stub, validate_task

    if args.tasks is not None:
        if args.task or args.stub:
            raise UsageError("give either a task (with --stub) or --tasks FILE, not both")
        if args.out is not None:
            raise UsageError("--out writes one file: it cannot be used with --tasks")
        specs = read_tasks(args.tasks)
        check_targets(args, ctx)
        if args.workers is not None or args.ray is not None:
            from orchestrator.cluster.driver import run_batch

            return run_batch(specs, args, ctx)
        return _run_batch(specs, args, ctx)
    if args.workers is not None or args.ray is not None:
        raise UsageError("--workers and --ray run a batch: give it with --tasks FILE")
    stub = (
        validate_stub(read_text_file(args.stub, what="stub file"), source=f"stub file {args.stub}")
        if args.stub
        else None
    )
    task = validate_task(args.task or "")
    check_targets(args, ctx)
    from orchestrator import resources

    with resources.open_run_resources(ctx) as (run_ctx, graph):
        report = execute_run(graph, run_ctx, ctx, TaskSpec(task, stub), yes=args.yes)
    return _finish(report, args, ctx)


def check_targets(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Raise ``UsageError`` unless ``--out`` and the SABS log can be written, before any work."""
    targets = []
    if getattr(args, "out", None) is not None:
        if args.out.exists() and not args.out.is_dir() and not args.force:
            raise UsageError(f"{args.out} exists; pass --force to overwrite it")
        targets.append(("--out", args.out))
    if ctx.settings.sabs.enabled and ctx.settings.sabs.log_path:
        targets.append(("the SABS log", Path(ctx.settings.sabs.log_path)))
    from config.files import check_writable

    for what, path in targets:
        try:
            check_writable(path)
        except OSError as exc:
            raise UsageError(f"{what} {path}: cannot write a file there ({exc.strerror})") from None


def handle_resume(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Continue run ``args.run_id`` from its last checkpoint, as it was started."""
    from orchestrator import resources
    from orchestrator.graph import build_graph
    from orchestrator.runs import RunStoreError, open_checkpointer, run_config

    if args.config is not None:
        raise UsageError(
            "resume continues with the settings the run started with; only "
            "--n-ctx, --max-tokens and --n-gpu-layers may change them"
        )
    with open_checkpointer(ctx.data_dir) as saver:
        snapshot = build_graph(saver).get_state(run_config(args.run_id))
    if not snapshot.values:
        raise RunStoreError(f"no run with id {args.run_id!r}; see `main.py runs`")
    if not snapshot.next:
        report = _report(args.run_id, snapshot.values, 0.0)
        if not ctx.quiet and not ctx.json_output:
            _stderr().print(f"run {args.run_id} has already finished ({report.status})")
        return _finish(report, args, ctx)
    ctx = replace(ctx, settings=resumed_settings(snapshot.values, ctx, args))
    with resources.open_run_resources(ctx) as (run_ctx, graph):
        run_ctx.progress.note(f"resuming run {args.run_id} before {', '.join(snapshot.next)}")
        report = _drive(graph, run_ctx, ctx, args.run_id, None, yes=args.yes)
    return _finish(report, args, ctx)


def resumed_settings(
    values: dict[str, Any], ctx: CommandContext, args: argparse.Namespace
) -> Settings:
    """The settings the run started with, changed only by the flags given to ``resume``."""
    from pydantic import ValidationError

    from config.settings import Settings
    from orchestrator.runs import RunStoreError

    stored = values.get("settings")
    if not stored:  # a run from before settings were stored: today's configuration
        return ctx.settings
    try:
        settings = Settings.model_validate(stored)
    except ValidationError:
        raise RunStoreError(
            f"run {args.run_id} was started with settings this version cannot read"
        ) from None
    for attr in RESUME_OVERRIDES:
        if getattr(args, attr, None) is None:
            continue
        section_name, _, key = OVERRIDE_KEYS[attr].partition(".")
        given = getattr(getattr(ctx.settings, section_name), key)
        section = getattr(settings, section_name).model_copy(update={key: given})
        settings = settings.model_copy(update={section_name: section})
    return settings


def handle_runs(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List every run with its status."""
    from orchestrator.rendering import runs_table
    from orchestrator.runs import list_runs, open_checkpointer

    with open_checkpointer(ctx.data_dir) as saver:
        summaries = list_runs(saver)
    if ctx.json_output:
        ctx.console.print_json(json.dumps([s.__dict__ for s in summaries], ensure_ascii=False))
    elif not summaries:
        ctx.console.print("no runs yet")
    else:
        ctx.console.print(runs_table(summaries))
    return EXIT_CLEAN


def execute_run(
    graph: LoopGraph, run_ctx: RunContext, ctx: CommandContext, spec: TaskSpec, *, yes: bool
) -> RunReport:
    """Start a new run for ``spec`` and drive it to its end (or a stop).

    A user error before the first cycle is judged removes the run again.
    """
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from orchestrator.runs import new_run_id, run_config
    from orchestrator.state import initial_state

    run_id = new_run_id()
    settings = run_ctx.settings
    run_ctx.progress.note(f"run {run_id}: up to {settings.cycles.max_cycles} cycle(s)")
    initial = initial_state(
        run_id,
        spec.task,
        spec.stub,
        settings.cycles.max_cycles,
        review_when_clean=settings.cycles.review_when_clean,
        settings=settings.model_dump(mode="json"),
    )
    try:
        return _drive(graph, run_ctx, ctx, run_id, initial, yes=yes)
    except UserError:
        saver = graph.checkpointer
        started = graph.get_state(run_config(run_id)).values.get("attempts")
        if isinstance(saver, BaseCheckpointSaver) and not started:
            saver.delete_thread(run_id)
        raise


def _drive(
    graph: LoopGraph,
    run_ctx: RunContext,
    ctx: CommandContext,
    run_id: str,
    initial: RunState | None,
    *,
    yes: bool,
) -> RunReport:
    """Invoke the graph, answering human-gate interrupts, until the run ends."""
    from langgraph.types import Command

    from orchestrator import resources
    from orchestrator.graph import recursion_limit
    from orchestrator.runs import run_config

    start = time.perf_counter()
    snapshot_values = graph.get_state(run_config(run_id)).values if initial is None else initial
    max_cycles = int(snapshot_values.get("max_cycles", 1))
    run_ctx.progress.max_cycles = max_cycles
    config = run_config(run_id, recursion_limit=recursion_limit(max_cycles))
    payload: RunState | Command | None = initial
    try:
        while True:
            graph.invoke(payload, config, context=run_ctx, durability="sync")
            snapshot = graph.get_state(config)
            if not snapshot.interrupts:
                break
            run_ctx.progress.close()
            payload = Command(resume=_ask_gate(snapshot.interrupts[0].value, run_ctx, ctx, yes=yes))
    except KeyboardInterrupt:
        run_ctx.progress.close()
        resources.log_interrupted(graph, run_ctx, run_id)
        run_ctx.progress.note(f"interrupted; continue with: python main.py resume {run_id}")
        raise
    finally:
        run_ctx.progress.close()
    return _report(run_id, graph.get_state(config).values, time.perf_counter() - start)


def _ask_gate(
    question: dict[str, Any], run_ctx: RunContext, ctx: CommandContext, *, yes: bool
) -> dict[str, str]:
    """Ask the person at the terminal whether to run another cycle; follow the policy otherwise."""
    from rich.prompt import Prompt

    from analysis.findings import Finding
    from finetune.render import findings_table

    cycle, limit = question.get("cycle", "?"), question.get("max_cycles", "?")
    if yes:
        run_ctx.progress.note(f"human gate after cycle {cycle}/{limit}: continuing (--yes)")
        return {"action": "continue"}
    if not sys.stdin.isatty():
        policy = run_ctx.settings.cycles.unattended_approval
        run_ctx.progress.note(
            f"human gate after cycle {cycle}/{limit}: no terminal to ask, following "
            f"cycles.unattended_approval = {policy} (pass --yes to continue)"
        )
        return {"action": policy}
    console = _stderr()
    findings = [Finding.from_dict(f) for f in question.get("findings", [])]
    console.print(findings_table(findings, title=f"findings after cycle {cycle}/{limit}"))
    choice = Prompt.ask(
        "run another cycle?",
        choices=["continue", "stop", "feedback"],
        default="continue",
        console=console,
    )
    if choice == "feedback":
        text = Prompt.ask("your feedback for the next cycle", console=console)
        return {"action": "continue", "feedback": text}
    return {"action": choice}


def _report(run_id: str, values: dict[str, Any], seconds: float) -> RunReport:
    attempts = list(values.get("attempts") or [])
    last = attempts[-1] if attempts else None
    return RunReport(
        run_id=run_id,
        status=str(values.get("status", "running")),
        code=last["code"] if last else "",
        findings=list(last["findings"]) if last else [],
        cycles=len(attempts),
        seconds=seconds,
        episode_id=values.get("episode_id"),
        completeness=float(last["completeness"]) if last else 0.0,
        attempts=attempts,
        reflect_seconds=list(values.get("reflect_seconds") or []),
    )


def _finish(report: RunReport, args: argparse.Namespace, ctx: CommandContext) -> int:
    from orchestrator.rendering import print_report

    out: Path | None = getattr(args, "out", None)
    if out is not None:
        from orchestrator import resources

        resources.write_code(out, report.code, force=args.force)
    if ctx.json_output:
        document = {**report.to_dict(), "out": str(out) if out is not None else None}
        ctx.console.print_json(json.dumps(document, ensure_ascii=False))
    else:
        print_report(report, ctx, out=out)
    return report.exit_code


def read_tasks(path: Path) -> list[TaskSpec]:
    """Parse a JSONL task file: one ``{"task": ..., "stub": ...}`` object per line."""
    from nodes.prompting import validate_stub, validate_task

    specs: list[TaskSpec] = []
    for number, line in enumerate(read_text_file(path, what="task file").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("task"), str):
            raise UsageError(f'{path}:{number}: each line must be an object with a "task" string')
        stub = item.get("stub")
        if stub is not None and not isinstance(stub, str):
            raise UsageError(f'{path}:{number}: "stub" must be a string')
        specs.append(
            TaskSpec(
                task=validate_task(item["task"]),
                stub=validate_stub(stub, source=f"{path}:{number} stub") if stub else None,
                label=str(item.get("id", number)),
            )
        )
    if not specs:
        raise UsageError(f"{path} holds no tasks")
    return specs


def _run_batch(specs: list[TaskSpec], args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run every task in sequence; a failing task is recorded and the batch goes on.

    Exits 2 if a task failed, else 1 if a task did not end clean, else 0.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from orchestrator import resources
    from orchestrator.rendering import batch_table

    reports: list[tuple[TaskSpec, RunReport | None, str]] = []
    with (
        resources.open_run_resources(ctx) as (run_ctx, graph),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=_stderr(),
            disable=ctx.quiet or ctx.json_output,
        ) as bar,
    ):
        overall = bar.add_task("tasks", total=len(specs))
        for spec in specs:
            try:
                reports.append((spec, execute_run(graph, run_ctx, ctx, spec, yes=args.yes), ""))
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # one failing task must not stop the batch
                reports.append((spec, None, f"{type(exc).__name__}: {exc}"))
            bar.advance(overall)
    if ctx.json_output:
        ctx.console.print_json(
            json.dumps(
                [
                    {"label": s.label, "task": s.task, "error": err, **(r.to_dict() if r else {})}
                    for s, r, err in reports
                ],
                ensure_ascii=False,
            )
        )
    else:
        ctx.console.print(batch_table(reports))
    return max(r.exit_code if r is not None else EXIT_ERROR for _, r, _ in reports)


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
