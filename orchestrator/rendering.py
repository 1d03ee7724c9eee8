"""What ``run``, ``resume``, ``runs`` and a batch print for people.

Every text from a user, the model or a tool is printed literally. When
stdout is not a terminal (or with ``-q``) stdout gets the code alone, byte
for byte, and the summary goes to stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from analysis.findings import Finding
from finetune.render import add_literal_row, findings_table, literal_table

if TYPE_CHECKING:
    from orchestrator.command import CommandContext
    from orchestrator.report import RunReport
    from orchestrator.runs import RunSummary
    from orchestrator.tasks import TaskSpec


def stderr_console() -> Console:
    """A console on stderr that prints text literally: progress, summaries, the human gate."""
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def print_report(report: RunReport, ctx: CommandContext, *, out: Path | None) -> None:
    """The code, its findings (if any), a status line and where ``--out`` wrote it."""
    console = ctx.console
    if console.is_terminal and not ctx.quiet:
        summary = console
        console.print(Syntax(report.code or "# (no code)", "python", line_numbers=True))
    else:
        code = report.code
        console.file.write(code if not code or code.endswith("\n") else code + "\n")
        console.file.flush()
        if ctx.quiet:
            return
        summary = stderr_console()
    findings = [Finding.from_dict(f) for f in report.findings]
    if findings:
        summary.print(findings_table(findings))
    summary.print(
        Text.assemble(
            "status ",
            (report.status, "bold"),
            f" · completeness {report.completeness:.2f} · {report.cycles} cycle(s) · "
            f"{report.seconds:.1f} s · run {report.run_id} · episode {report.episode_id or '-'}",
        )
    )
    if out is not None:
        summary.print(f"wrote {len(report.code.splitlines())} lines of code to {out}")


def runs_table(summaries: Sequence[RunSummary]) -> Table:
    """One row per run: id, status, cycles and task."""
    table = literal_table("runs", ("run id", "status", "cycles", "task"))
    for s in summaries:
        add_literal_row(table, s.run_id, s.status, str(s.cycles), s.task[:80])
    return table


def batch_table(reports: Sequence[tuple[TaskSpec, RunReport | None, str]]) -> Table:
    """One row per task of a batch: its status or the error that stopped it."""
    table = literal_table(
        "batch summary", ("task", "status", "cycles", "findings", "seconds", "run id")
    )
    for spec, report, error in reports:
        if report is None:
            table.add_row(
                Text(spec.label), Text.assemble(("error", "red"), " ", error), "-", "-", "-", "-"
            )
        else:
            add_literal_row(
                table,
                spec.label,
                report.status,
                str(report.cycles),
                str(len(report.findings)),
                f"{report.seconds:.1f}",
                report.run_id,
            )
    return table
