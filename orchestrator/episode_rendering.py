"""What the ``episodes`` and ``review`` commands print: episode lists, search hits, and
one episode as a reviewer reads it.

Every text from a user, the model or a tool goes in as a ``Text``: printed
literally, never read as markup. Code is shown whole: soft-wrapped at the
console's width, with line numbers (a wrapped line continues without one). In
the tables an id never wraps, and a cell cut to fit ends with an ellipsis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from orchestrator.rendering import add_literal_row, findings_table

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from memory.episode import Attempt, Episode
    from memory.store import SearchHit


#: The least room the task column keeps in a listing before optional columns give way.
TASK_MIN_WIDTH = 30


def episodes_table(
    episodes: Sequence[Episode], title: str = "episodes", total: int = 0
) -> RenderableType:
    """One line per episode: id, date, outcome, review status, cycles and task; a caption
    says how many more there are when ``total`` (all that match) exceeds the rows."""
    rows = [
        (
            Text(episode.id),
            Text(episode.created_at.strftime("%Y-%m-%d %H:%M")),
            Text(episode.outcome.value),
            Text(episode.review_status.value),
            Text(str(len(episode.attempts))),
            one_line(episode.task),
        )
        for episode in episodes
    ]
    caption = f"{len(episodes)} of {total}: --limit N shows more" if total > len(episodes) else ""
    return Listing(
        Text(title),
        (
            ("id", False),
            ("created (UTC)", True),
            ("outcome", False),
            ("review", False),
            ("cycles", True),
            ("task", False),
        ),
        rows,
        Text(caption),
    )


def hits_table(hits: Sequence[SearchHit], query: str) -> RenderableType:
    """Search results, best first, with their fused relevance."""
    rows = [
        (
            Text(f"{hit.score:.4f}"),
            Text(hit.episode.id),
            Text(hit.episode.outcome.value),
            Text(hit.episode.review_status.value),
            one_line(hit.episode.task),
        )
        for hit in hits
    ]
    return Listing(
        Text(f"episodes like {query!r}"),
        (("score", True), ("id", False), ("outcome", False), ("review", False), ("task", False)),
        rows,
    )


@dataclass(frozen=True)
class Listing:
    """A table of one line per row that fits the console's width: ids and short values never
    wrap, the last column (the task) gives way and ends a cut with an ellipsis, and where it
    would keep fewer than ``TASK_MIN_WIDTH`` columns the optional columns are left out,
    rightmost first."""

    title: Text
    columns: tuple[tuple[str, bool], ...]  # (header, optional); the last one gives way
    rows: Sequence[tuple[Text, ...]]
    caption: Text = field(default_factory=Text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        shown = list(range(len(self.columns)))
        optional = [i for i, (_, is_optional) in enumerate(self.columns) if is_optional]
        while optional and self._fixed_width(shown) + TASK_MIN_WIDTH > options.max_width:
            shown.remove(optional.pop())
        yield self._table(shown)

    def _fixed_width(self, shown: list[int]) -> int:
        """The width of every shown column but the last, with padding and borders."""
        widths = [
            max(cell_len(self.columns[i][0]), *(row[i].cell_len for row in self.rows)) + 2
            for i in shown[:-1]
        ]
        return sum(widths) + len(shown) + 1

    def _table(self, shown: list[int]) -> Table:
        table = Table(title=self.title, caption=self.caption or None)
        for i in shown[:-1]:
            table.add_column(self.columns[i][0], no_wrap=True, overflow="ellipsis")
        table.add_column(self.columns[shown[-1]][0], overflow="ellipsis")
        for row in self.rows:
            table.add_row(*(row[i] for i in shown))
        return table


def episode_view(episode: Episode) -> RenderableType:
    """What a reviewer needs: task, outcome, the final code whole and highlighted, findings,
    cycle history. The code and the task wrap, never cut; a table cell cut to fit (an id, a
    cycle's feedback) ends with an ellipsis."""
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold", no_wrap=True)
    header.add_column(overflow="fold")
    header.add_row(Text("id"), Text(episode.id, no_wrap=True, overflow="ellipsis"))
    add_literal_row(header, "task", episode.task)
    add_literal_row(header, "outcome", episode.outcome.value)
    add_literal_row(header, "review", _review_line(episode))
    add_literal_row(header, "model", f"{episode.model_name} ({episode.model_sha256})")
    add_literal_row(header, "created", episode.created_at.isoformat(timespec="seconds"))
    parts: list[RenderableType] = [header, Panel(code_view(episode.final_code), title="final code")]
    if episode.final_findings:
        parts.append(findings_table(episode.final_findings, title="findings of the final code"))
    else:
        parts.append(Text("final code: no findings", style="green"))
    if len(episode.attempts) > 1:
        parts.append(_cycles_table(episode))
    return Wrapped(Group(*parts))


def code_view(code: str) -> Syntax:
    """Python code with line numbers, coloured on a terminal, long lines soft-wrapped (the
    continuation has no line number) rather than cut at the edge."""
    return Syntax(code or "# (no code)", "python", line_numbers=True, word_wrap=True)


def one_line(text: str) -> Text:
    """``text`` on one line (its whitespace runs made single spaces), ending with an ellipsis
    where a table cuts it."""
    return Text(" ".join(text.split()), no_wrap=True, overflow="ellipsis")


@dataclass(frozen=True)
class Wrapped:
    """``renderable`` wrapped at the console's width even when the console prints with
    ``soft_wrap`` (as the CLI's does), which would otherwise let code be cut at the edge."""

    renderable: RenderableType

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from console.render(self.renderable, options.update(no_wrap=False, overflow="fold"))


def _cycles_table(episode: Episode) -> Table:
    table = Table(title=Text("cycles"))
    for name in ("cycle", "worst", "findings", "examples"):
        table.add_column(name, no_wrap=True)
    table.add_column("feedback", overflow="ellipsis")
    for attempt in episode.attempts:
        worst = attempt.worst_severity
        table.add_row(
            Text(str(attempt.cycle)),
            Text(worst.name if worst is not None else "-"),
            Text(str(len(attempt.findings))),
            Text(_examples(attempt)),
            one_line(attempt.feedback or "-"),
        )
    return table


def _examples(attempt: Attempt) -> str:
    """Whether the attempt passed its examples and tests: passed, failed or - (none ran)."""
    passed = attempt.passed
    return "-" if passed is None else "passed" if passed else "failed"


def _review_line(episode: Episode) -> str:
    line = episode.review_status.value
    if episode.reviewed_at is not None:
        line += f" at {episode.reviewed_at.isoformat(timespec='seconds')}"
    if episode.reviewer_note:
        line += f": {episode.reviewer_note}"
    return line
