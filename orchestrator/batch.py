"""A batch run in this process: the tasks of a file one after another, with a progress bar.

A batch on Ray workers is ``orchestrator.cluster``; this one loads the model
once and runs every task through the same graph in sequence.
"""

from __future__ import annotations

import argparse
import json

from orchestrator.command import EXIT_ERROR, CommandContext
from orchestrator.report import RunReport
from orchestrator.tasks import TaskSpec


def run_sequential(specs: list[TaskSpec], args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run every task in sequence; a failing task is recorded and the batch goes on.

    Exits 2 if a task failed, else 1 if a task did not end clean, else 0.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from orchestrator import resources
    from orchestrator.rendering import batch_table, stderr_console
    from orchestrator.runner import execute_run

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
