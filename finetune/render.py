"""Rich renderables for episodes: the tables and code views people read."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from analysis.findings import Finding
from memory.episode import Episode
from memory.store import SearchHit

_TASK_WIDTH = 70


def episodes_table(episodes: Sequence[Episode], title: str = "episodes") -> Table:
    """One row per episode: id, date, outcome, review status, cycles and task."""
    table = Table(title=title)
    for column in ("id", "created (UTC)", "outcome", "review", "cycles", "task"):
        table.add_column(column, overflow="fold")
    for episode in episodes:
        table.add_row(
            episode.id,
            episode.created_at.strftime("%Y-%m-%d %H:%M"),
            episode.outcome.value,
            episode.review_status.value,
            str(len(episode.attempts)),
            _short(episode.task),
        )
    return table


def hits_table(hits: Sequence[SearchHit], query: str) -> Table:
    """Search results, best first, with their fused relevance."""
    table = Table(title=f"episodes like {query!r}")
    for column in ("score", "id", "outcome", "review", "task"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        episode = hit.episode
        table.add_row(
            f"{hit.score:.4f}",
            episode.id,
            episode.outcome.value,
            episode.review_status.value,
            _short(episode.task),
        )
    return table


def findings_table(findings: Sequence[Finding], title: str = "findings") -> Table:
    """The findings of one attempt, in source order."""
    table = Table(title=title)
    for column in ("line", "severity", "tool", "rule", "message"):
        table.add_column(column, overflow="fold")
    for finding in sorted(findings):
        table.add_row(
            str(finding.line),
            finding.severity.name,
            finding.tool,
            finding.rule,
            finding.message,
        )
    return table


def episode_view(episode: Episode) -> RenderableType:
    """What a reviewer needs: task, outcome, final code highlighted, findings, cycle history."""
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    header.add_row("id", episode.id)
    header.add_row("task", episode.task)
    header.add_row("outcome", episode.outcome.value)
    header.add_row("review", _review_line(episode))
    header.add_row("model", f"{episode.model_name} ({episode.model_sha256})")
    header.add_row("created", episode.created_at.isoformat(timespec="seconds"))
    code = Syntax(episode.final_code or "# (no code)", "python", line_numbers=True)
    parts: list[RenderableType] = [header, Panel(code, title="final code")]
    if episode.final_findings:
        parts.append(findings_table(episode.final_findings, title="findings of the final code"))
    else:
        parts.append("[green]final code: no findings[/green]")
    if len(episode.attempts) > 1:
        parts.append(_cycles_table(episode))
    return Group(*parts)


def _cycles_table(episode: Episode) -> Table:
    table = Table(title="cycles")
    for column in ("cycle", "worst", "findings", "feedback"):
        table.add_column(column, overflow="fold")
    for attempt in episode.attempts:
        worst = attempt.worst_severity
        table.add_row(
            str(attempt.cycle),
            worst.name if worst is not None else "-",
            str(len(attempt.findings)),
            _short(attempt.feedback) or "-",
        )
    return table


def _review_line(episode: Episode) -> str:
    line = episode.review_status.value
    if episode.reviewed_at is not None:
        line += f" at {episode.reviewed_at.isoformat(timespec='seconds')}"
    if episode.reviewer_note:
        line += f": {episode.reviewer_note}"
    return line


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _TASK_WIDTH else flat[: _TASK_WIDTH - 1] + "…"
