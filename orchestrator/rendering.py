"""What ``run``, ``resume``, ``runs`` and a batch print for people, and the literal
tables every command's output is built from (doctor, the human gate, episodes, the
cluster view).

Every text from a user, the model or a tool is printed literally. When
stdout is not a terminal (or with ``-q``) stdout gets the code alone, byte
for byte, and the summary goes to stderr.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from analysis.findings import Finding
from verify.checks import judged_own

if TYPE_CHECKING:
    from orchestrator.command import CommandContext
    from orchestrator.report import CutOff, RunReport
    from orchestrator.runs import RunSummary
    from orchestrator.tasks import TaskSpec


def stderr_console() -> Console:
    """A console on stderr that prints text literally: progress, summaries, the human gate."""
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def literal_table(title: str | Text, columns: Sequence[str]) -> Table:
    """A table whose cells are added with :func:`add_literal_row`."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def add_literal_row(table: Table, *cells: str) -> None:
    """Add a row of plain strings, each shown exactly as it is."""
    table.add_row(*(Text(cell) for cell in cells))


def findings_table(findings: Sequence[Finding], title: str = "findings") -> Table:
    """The findings of one attempt, in source order; one "clean" row when there are none."""
    table = literal_table(title, ("line", "severity", "tool", "rule", "message"))
    if not findings:
        add_literal_row(table, "-", "-", "-", "-", "clean")
    for finding in sorted(findings):
        add_literal_row(
            table,
            str(finding.line),
            finding.severity.name,
            finding.tool,
            finding.rule,
            finding.message,
        )
    return table


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
    if report.checks:
        summary.print(checks_table(report.checks))
    if report.cut_off is not None:
        summary.print(cut_off_line(report.cut_off, report.cycle))
    summary.print(
        Text.assemble(
            "status ",
            (report.status, "bold"),
            f": {report.refusal}" if report.status == "refused" and report.refusal else "",
            f" · {checks_summary(report.checks)}completeness {report.completeness:.2f}"
            f"{_of_cycle(report)} · {report.cycles} cycle(s) · {report.seconds:.1f} s · "
            f"run {report.run_id} · episode {report.episode_id or '-'}",
        )
    )
    if out is not None:
        summary.print(f"wrote {len(report.code.splitlines())} lines of code to {out}")


def cut_off_line(cut_off: CutOff, returned_cycle: int) -> Text:
    """Which cycles stopped on the token limit, whether the returned code is one of them, and
    the limit to try (twice the one that cut: the length of the unwritten rest is unknown)."""
    names = _cycle_names(cut_off.cycles)
    if cut_off.returned:
        returned = (
            f"the returned code (cycle {returned_cycle}) is likely unfinished, "
            "whatever its completeness score"
        )
    else:
        returned = f"the returned code (cycle {returned_cycle}) ended on its own"
    advice = cut_off.advice
    suggestion = (
        f"; try {advice} (twice the limit: how much more the code needed is unknown)"
        if advice
        else "; the limit is already the largest allowed"
    )
    return Text.assemble(
        ("cut off", "bold"),
        f": {names} stopped at the {cut_off.limit}-token limit (--max-tokens); "
        f"{returned}{suggestion}",
    )


def _cycle_names(cycles: Sequence[int]) -> str:
    if len(cycles) == 1:
        return f"cycle {cycles[0]}"
    return "cycles " + ", ".join(str(c) for c in cycles[:-1]) + f" and {cycles[-1]}"


def _of_cycle(report: RunReport) -> str:
    """Which code the completeness is of: `` (cycle 2)``, or `` (cycle 2, cut off)`` when
    that code stopped on the token limit ("" with no attempt)."""
    if not report.cycle:
        return ""
    cut = report.cut_off is not None and report.cut_off.returned
    return f" (cycle {report.cycle}{', cut off' if cut else ''})"


def checks_summary(checks: Sequence[Mapping[str, Any]]) -> str:
    """ "3/4 examples and tests passed · " for the task's own checks the sandbox could judge
    ("" when none)."""
    own = judged_own(checks)
    if not own:
        return ""
    passed = sum(c.get("outcome") == "passed" for c in own)
    return f"{passed}/{len(own)} examples and tests passed · "


def checks_table(checks: Sequence[Mapping[str, Any]]) -> Table:
    """One row per check run in the sandbox: where it came from, its outcome and what it got."""
    table = literal_table("checks (run in the sandbox)", ("check", "from", "outcome", "detail"))
    for check in checks:
        origin = str(check.get("origin", ""))
        outcome = str(check.get("outcome", ""))
        if check.get("got") is not None and outcome != "passed":
            detail = f"got {check.get('got')}, expected {check.get('expected')}"
        else:
            detail = str(check.get("error") or "")
        add_literal_row(
            table,
            str(check.get("label", "")),
            "model (ranks only)" if origin == "model" else origin,
            outcome,
            detail,
        )
    return table


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
