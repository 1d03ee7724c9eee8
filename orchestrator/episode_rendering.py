"""What the ``episodes`` and ``review`` commands print: episode lists, search hits, and
one episode as a reviewer reads it.

Every text from a user, the model or a tool goes in as a ``Text``: printed
literally, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from orchestrator.rendering import add_literal_row, findings_table, literal_table

if TYPE_CHECKING:
    from memory.episode import Episode
    from memory.store import SearchHit

_TASK_WIDTH = 70


def episodes_table(episodes: Sequence[Episode], title: str = "episodes") -> Table:
    """One row per episode: id, date, outcome, review status, cycles and task."""
    table = literal_table(title, ("id", "created (UTC)", "outcome", "review", "cycles", "task"))
    for episode in episodes:
        add_literal_row(
            table,
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
    table = literal_table(
        Text(f"episodes like {query!r}"), ("score", "id", "outcome", "review", "task")
    )
    for hit in hits:
        episode = hit.episode
        add_literal_row(
            table,
            f"{hit.score:.4f}",
            episode.id,
            episode.outcome.value,
            episode.review_status.value,
            _short(episode.task),
        )
    return table


def episode_view(episode: Episode) -> RenderableType:
    """What a reviewer needs: task, outcome, final code highlighted, findings, cycle history."""
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    add_literal_row(header, "id", episode.id)
    add_literal_row(header, "task", episode.task)
    add_literal_row(header, "outcome", episode.outcome.value)
    add_literal_row(header, "review", _review_line(episode))
    add_literal_row(header, "model", f"{episode.model_name} ({episode.model_sha256})")
    add_literal_row(header, "created", episode.created_at.isoformat(timespec="seconds"))
    code = Syntax(episode.final_code or "# (no code)", "python", line_numbers=True)
    parts: list[RenderableType] = [header, Panel(code, title="final code")]
    if episode.final_findings:
        parts.append(findings_table(episode.final_findings, title="findings of the final code"))
    else:
        parts.append(Text("final code: no findings", style="green"))
    if len(episode.attempts) > 1:
        parts.append(_cycles_table(episode))
    return Group(*parts)


def _cycles_table(episode: Episode) -> Table:
    table = literal_table("cycles", ("cycle", "worst", "findings", "feedback"))
    for attempt in episode.attempts:
        worst = attempt.worst_severity
        add_literal_row(
            table,
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
