"""``main.py run``, ``resume`` and ``runs``: start, continue and list runs of the loop."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.types import Command
from rich.console import Console
from rich.prompt import Prompt
from rich.syntax import Syntax
from rich.table import Table

from analysis.findings import Finding
from config.errors import UsageError
from nodes.prompting import validate_stub, validate_task
from orchestrator import resources
from orchestrator.cli import entropy_threshold, read_text_file
from orchestrator.command import CommandContext
from orchestrator.context import RunContext
from orchestrator.graph import LoopGraph, build_graph, recursion_limit
from orchestrator.runs import RunStoreError, list_runs, new_run_id, open_checkpointer, run_config
from orchestrator.state import RunState, initial_state


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
    run.add_argument("--out", type=Path, help="write the final code to this file")
    run.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    run.add_argument(
        "--yes", action="store_true", help="answer the human gate with 'continue' unattended"
    )
    _add_generation_flags(run)
    run.set_defaults(handler=handle_run)

    resume = subparsers.add_parser(
        "resume", parents=[common], help="continue an interrupted or paused run"
    )
    resume.add_argument("run_id", help="the run id printed when the run started (see `runs`)")
    resume.add_argument(
        "--yes", action="store_true", help="answer the human gate with 'continue' unattended"
    )
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
    if args.tasks is not None:
        if args.task or args.stub:
            raise UsageError("give either a task (with --stub) or --tasks FILE, not both")
        if args.out is not None:
            raise UsageError("--out writes one file: it cannot be used with --tasks")
        return _run_batch(read_tasks(args.tasks), args, ctx)
    stub = (
        validate_stub(read_text_file(args.stub, what="stub file"), source=f"stub file {args.stub}")
        if args.stub
        else None
    )
    task = validate_task(args.task or "")
    if args.out is not None and args.out.exists() and not args.force:
        raise UsageError(f"{args.out} exists; pass --force to overwrite it")
    with resources.open_run_resources(ctx) as (run_ctx, graph):
        report = execute_run(graph, run_ctx, ctx, TaskSpec(task, stub), yes=args.yes)
    return _finish(report, args, ctx)


def handle_resume(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Continue run ``args.run_id`` from its last checkpoint."""
    with resources.open_run_resources(ctx) as (run_ctx, graph):
        config = run_config(args.run_id)
        snapshot = graph.get_state(config)
        if not snapshot.values:
            raise RunStoreError(f"no run with id {args.run_id!r}; see `main.py runs`")
        if not snapshot.next:
            run_ctx.progress.note(
                f"run {args.run_id} has already finished ({snapshot.values.get('status')})"
            )
            report = _report(graph, args.run_id, 0.0)
        else:
            run_ctx.progress.note(f"resuming run {args.run_id} before {', '.join(snapshot.next)}")
            report = _drive(graph, run_ctx, ctx, args.run_id, None, yes=args.yes)
    return _finish(report, args, ctx)


def handle_runs(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List every run with its status."""
    with open_checkpointer(ctx.data_dir) as saver:
        summaries = list_runs(saver, build_graph(saver))
    if ctx.json_output:
        ctx.console.print_json(json.dumps([s.__dict__ for s in summaries]))
        return 0
    if not summaries:
        ctx.console.print("no runs yet")
        return 0
    table = Table(title="runs")
    for column in ("run id", "status", "cycles", "next", "task"):
        table.add_column(column, overflow="fold")
    for s in summaries:
        table.add_row(s.run_id, s.status, str(s.cycles), s.next_node or "-", s.task[:80])
    ctx.console.print(table)
    return 0


def execute_run(
    graph: LoopGraph, run_ctx: RunContext, ctx: CommandContext, spec: TaskSpec, *, yes: bool
) -> RunReport:
    """Start a new run for ``spec`` and drive it to its end (or a stop)."""
    run_id = new_run_id()
    max_cycles = ctx.settings.cycles.max_cycles
    run_ctx.progress.note(f"run {run_id}: up to {max_cycles} cycle(s)")
    initial = initial_state(
        run_id,
        spec.task,
        spec.stub,
        max_cycles,
        review_when_clean=ctx.settings.cycles.review_when_clean,
    )
    return _drive(graph, run_ctx, ctx, run_id, initial, yes=yes)


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
    run_ctx.progress.close()
    return _report(graph, run_id, time.perf_counter() - start)


def _ask_gate(
    question: dict[str, Any], run_ctx: RunContext, ctx: CommandContext, *, yes: bool
) -> dict[str, str]:
    """Ask the person at the terminal whether to run another cycle; follow the policy otherwise."""
    cycle, limit = question.get("cycle", "?"), question.get("max_cycles", "?")
    if yes:
        run_ctx.progress.note(f"human gate after cycle {cycle}/{limit}: continuing (--yes)")
        return {"action": "continue"}
    if not sys.stdin.isatty():
        policy = ctx.settings.cycles.unattended_approval
        run_ctx.progress.note(
            f"human gate after cycle {cycle}/{limit}: no terminal to ask, following "
            f"cycles.unattended_approval = {policy} (pass --yes to continue)"
        )
        return {"action": policy}
    console = Console(stderr=True)
    findings = [Finding.from_dict(f) for f in question.get("findings", [])]
    console.print(_findings_table(findings, title=f"findings after cycle {cycle}/{limit}"))
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


def _report(graph: LoopGraph, run_id: str, seconds: float) -> RunReport:
    values = graph.get_state(run_config(run_id)).values
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
    out: Path | None = getattr(args, "out", None)
    if out is not None:
        resources.write_code(out, report.code, force=args.force)
    if ctx.json_output:
        ctx.console.print_json(json.dumps(report.to_dict()))
    else:
        render_report(report, ctx.console, quiet=ctx.quiet)
    return 0 if report.status != "error" else 1


def render_report(report: RunReport, console: Console, *, quiet: bool) -> None:
    """Code with syntax highlighting, findings table (or "clean"), cycles, time, episode id."""
    if quiet:
        console.print(report.code, markup=False, highlight=False)
        return
    console.print(Syntax(report.code or "# (no code)", "python", line_numbers=True))
    findings = [Finding.from_dict(f) for f in report.findings]
    if findings:
        console.print(_findings_table(findings, title="findings"))
    console.print(
        f"status [bold]{report.status}[/bold] · completeness {report.completeness:.2f} · "
        f"{report.cycles} cycle(s) · {report.seconds:.1f} s · run {report.run_id} · "
        f"episode {report.episode_id or '-'}"
    )


def _findings_table(findings: list[Finding], *, title: str) -> Table:
    table = Table(title=title)
    for column in ("line", "tool", "rule", "severity", "message"):
        table.add_column(column, overflow="fold")
    for f in findings:
        table.add_row(str(f.line), f.tool, f.rule, f.severity.name, f.message)
    if not findings:
        table.add_row("-", "-", "-", "-", "clean")
    return table


def read_tasks(path: Path) -> list[TaskSpec]:
    """Parse a JSONL task file: one ``{"task": ..., "stub": ...}`` object per line."""
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
    """Run every task in sequence; a failing task is recorded and the batch goes on."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    reports: list[tuple[TaskSpec, RunReport | None, str]] = []
    with (
        resources.open_run_resources(ctx) as (run_ctx, graph),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
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
                ]
            )
        )
    else:
        table = Table(title="batch summary")
        for column in ("task", "status", "cycles", "findings", "seconds", "run id"):
            table.add_column(column, overflow="fold")
        for spec, report, err in reports:
            if report is None:
                table.add_row(spec.label, f"[red]error[/red] {err}", "-", "-", "-", "-")
            else:
                table.add_row(
                    spec.label,
                    report.status,
                    str(report.cycles),
                    str(len(report.findings)),
                    f"{report.seconds:.1f}",
                    report.run_id,
                )
        ctx.console.print(table)
    return 0 if all(r is not None for _, r, _ in reports) else 1
