"""The episodes, review and export commands, called as the CLI calls them."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from analysis.findings import Finding, Severity
from config.errors import UsageError, UserError
from config.settings import MemorySettings, Settings
from memory.episode import Attempt, ReviewStatus
from orchestrator.command import CommandContext
from orchestrator.episode_commands import open_store, register, review_interactively
from tests.memory.factories import long_line_code, make_episode, two_cycle_episode
from tests.orchestrator.commands import MARKUP_TASK

BRACKETED = 'Type "list[int]" is not assignable to declared type "[red]str"'


def _context(
    tmp_path: Path,
    *,
    json_output: bool = False,
    quiet: bool = False,
    console: Console | None = None,
) -> CommandContext:
    return CommandContext(
        settings=Settings(memory=MemorySettings(embedder="hash")),
        console=console or Console(file=io.StringIO(), width=200, highlight=False),
        json_output=json_output,
        quiet=quiet,
        data_dir=tmp_path / "data",
    )


def _terminal(width: int) -> Console:
    """A console as the CLI makes it (soft wrap, no markup), on a colour terminal ``width``
    columns wide, recording what it prints."""
    return Console(
        file=io.StringIO(),
        width=width,
        soft_wrap=True,
        markup=False,
        highlight=False,
        force_terminal=True,
        color_system="truecolor",
        record=True,
    )


def _run(ctx: CommandContext, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args, ctx)


def _output(ctx: CommandContext) -> str:
    stream = ctx.console.file
    if not isinstance(stream, io.StringIO):
        raise TypeError("the test console writes to a StringIO")
    return stream.getvalue()


@pytest.fixture
def ctx(tmp_path: Path) -> CommandContext:
    context = _context(tmp_path)
    open_store(context).add_many(
        [
            two_cycle_episode("eval-run", minutes=1),
            make_episode("add-run", review_status=ReviewStatus.APPROVED, minutes=2),
        ]
    )
    return context


def test_the_store_lives_under_the_data_dir_by_default(ctx: CommandContext) -> None:
    assert (ctx.data_dir / "memory" / "episodes.lance").is_dir()


def test_list_prints_a_table_of_episodes(ctx: CommandContext) -> None:
    assert _run(ctx, "episodes", "list") == 0
    out = _output(ctx)
    assert "eval-run" in out
    assert "add-run" in out


def test_list_json_is_one_document_filtered_by_status(tmp_path: Path, ctx: CommandContext) -> None:
    as_json = _context(tmp_path, json_output=True)
    assert _run(as_json, "episodes", "list", "--status", "approved") == 0
    assert [e["id"] for e in json.loads(_output(as_json))] == ["add-run"]


def test_show_prints_code_findings_and_cycles(ctx: CommandContext) -> None:
    assert _run(ctx, "episodes", "show", "eval-run") == 0
    out = _output(ctx)
    assert "ast.literal_eval(expr)" in out
    assert "no findings" in out
    assert "cycles" in out


def test_show_of_an_unknown_id_is_a_user_error(ctx: CommandContext) -> None:
    with pytest.raises(UserError, match="episodes list"):
        _run(ctx, "episodes", "show", "missing")


def test_search_json_ranks_the_matching_episode_first(tmp_path: Path, ctx: CommandContext) -> None:
    as_json = _context(tmp_path, json_output=True)
    assert _run(as_json, "episodes", "search", "evaluate an arithmetic literal", "-k", "2") == 0
    assert json.loads(_output(as_json))[0]["id"] == "eval-run"


def test_review_by_id_records_the_decision_and_note(ctx: CommandContext) -> None:
    assert _run(ctx, "review", "eval-run", "--reject", "--note", "too clever") == 0
    episode = open_store(ctx).get("eval-run")
    assert episode is not None
    assert (episode.review_status, episode.reviewer_note) == (ReviewStatus.REJECTED, "too clever")


def test_review_by_id_needs_a_decision(ctx: CommandContext) -> None:
    with pytest.raises(UsageError, match="--approve or --reject"):
        _run(ctx, "review", "eval-run")


def test_review_without_id_or_terminal_is_a_usage_error(ctx: CommandContext) -> None:
    with pytest.raises(UsageError, match="needs a terminal"):
        _run(ctx, "review")


@pytest.fixture
def markup_ctx(ctx: CommandContext) -> CommandContext:
    finding = Finding(
        line=1,
        col=0,
        tool="pyright",
        rule="reportAssignmentType",
        severity=Severity.ERROR,
        message=BRACKETED,
    )
    attempt = Attempt(cycle=1, code="xs: list[int] = []\n", findings=(finding,), completeness=1.0)
    open_store(ctx).add(
        make_episode(
            "markup-run", task=MARKUP_TASK, attempts=(attempt,), reviewer_note="[/i]", minutes=3
        )
    )
    return ctx


def test_list_shows_bracketed_task_text_as_it_is(markup_ctx: CommandContext) -> None:
    assert _run(markup_ctx, "episodes", "list") == 0
    assert "xs[/] for a list[int] of [bold]numbers" in _output(markup_ctx)


def test_show_prints_bracketed_task_finding_and_note_as_they_are(
    markup_ctx: CommandContext,
) -> None:
    assert _run(markup_ctx, "episodes", "show", "markup-run") == 0
    out = _output(markup_ctx)
    assert "[bold]numbers" in out
    assert 'Type "list[int]" is not assignable' in out
    assert '"[red]str"' in out
    assert ": [/i]" in out


def test_search_prints_a_bracketed_query_and_task_as_they_are(markup_ctx: CommandContext) -> None:
    assert _run(markup_ctx, "episodes", "search", "[bold]numbers[/]") == 0
    out = _output(markup_ctx)
    assert "episodes like '[bold]numbers[/]'" in out
    assert "xs[/] for a list[int] of [bold]numbers" in out


def test_interactive_review_prints_bracketed_text_as_it_is(markup_ctx: CommandContext) -> None:
    store = open_store(markup_ctx)
    review_interactively(store, markup_ctx.console, stream=io.StringIO("s\ns\n"))
    assert 'Type "list[int]" is not assignable' in _output(markup_ctx)


def test_interactive_review_records_answers_in_order(ctx: CommandContext) -> None:
    store = open_store(ctx)
    store.add(make_episode("third", minutes=3))
    answers = io.StringIO("a\nlooks right\nr\n\n")
    counts = review_interactively(store, ctx.console, stream=answers)
    assert counts == {"approved": 1, "rejected": 1, "skipped": 0}
    first, second = store.get("eval-run"), store.get("third")
    assert first is not None
    assert second is not None
    assert (first.review_status, first.reviewer_note) == (ReviewStatus.APPROVED, "looks right")
    assert second.review_status is ReviewStatus.REJECTED


def test_interactive_review_stops_on_quit(ctx: CommandContext) -> None:
    store = open_store(ctx)
    counts = review_interactively(store, ctx.console, stream=io.StringIO("q\n"))
    assert counts == {"approved": 0, "rejected": 0, "skipped": 0}
    assert store.count(status=ReviewStatus.PENDING) == 1


def test_export_writes_only_approved_episodes(ctx: CommandContext, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    assert _run(ctx, "export", "--format", "sft", "--out", str(out)) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert "a + b" in json.loads(lines[0])["completion"][0]["content"]


def test_export_refuses_to_overwrite_without_force(ctx: CommandContext, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(UserError, match="--force"):
        _run(ctx, "export", "--format", "sft", "--out", str(out))
    assert _run(ctx, "export", "--format", "sft", "--out", str(out), "--force") == 0


def test_reembed_reports_the_episode_count(ctx: CommandContext) -> None:
    assert _run(ctx, "episodes", "reembed") == 0
    assert "re-embedded 2 episodes" in _output(ctx)


def _panel_code(text: str) -> str:
    """The code inside the "final code" panel of a plain-text view, one line a numbered line:
    a line without a number continues the one above."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if "final code" in line)
    bottom = next(i for i in range(top + 1, len(lines)) if lines[i].startswith("╰"))
    code: list[str] = []
    for line in lines[top + 1 : bottom]:
        inner = line[2:-2]  # inside "│ " and " │"
        gutter, rest = inner[:4], inner[4:].rstrip()
        if gutter.strip():
            code.append(rest)
        else:
            code[-1] += " " + rest.lstrip()
    return "\n".join(code)


@pytest.mark.parametrize("width", [80, 120])
def test_show_wraps_a_long_code_line_instead_of_cutting_it(tmp_path: Path, width: int) -> None:
    ctx = _context(tmp_path, console=_terminal(width))
    code = long_line_code(150)
    open_store(ctx).add(make_episode("long", final_code=code))
    assert _run(ctx, "episodes", "show", "long") == 0
    text = ctx.console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    shown = _panel_code(text).splitlines()
    assert len(shown) == len(code.splitlines())
    assert ["".join(line.split()) for line in shown] == [
        "".join(line.split()) for line in code.splitlines()
    ]


def test_show_colours_code_on_a_terminal_only(tmp_path: Path, ctx: CommandContext) -> None:
    terminal = _context(tmp_path, console=_terminal(120))
    assert _run(terminal, "episodes", "show", "add-run") == 0
    assert _run(ctx, "episodes", "show", "add-run") == 0
    assert "\x1b[" in _output(terminal)
    assert "\x1b[" not in _output(ctx)


def test_a_listing_never_wraps_an_id_and_ends_a_cut_task_with_an_ellipsis(tmp_path: Path) -> None:
    ctx = _context(tmp_path, console=_terminal(80))
    task = "Run a snippet of Python code in a subprocess and return what it printed " * 2
    open_store(ctx).add(make_episode("20261122-043012-9f3a1c", task=task))
    assert _run(ctx, "episodes", "list") == 0
    [row] = [line for line in ctx.console.export_text().splitlines() if "Run a" in line]
    assert "20261122-043012-9f3a1c" in row
    assert row.rstrip(" │").endswith("…")


def test_list_says_how_many_more_a_limit_leaves_out(ctx: CommandContext) -> None:
    assert _run(ctx, "episodes", "list", "--limit", "1") == 0
    assert "1 of 2: --limit N shows more" in _output(ctx)


def test_list_quiet_prints_only_the_ids(tmp_path: Path, ctx: CommandContext) -> None:
    quiet = _context(tmp_path, quiet=True)
    assert _run(quiet, "episodes", "list") == 0
    assert _output(quiet) == "add-run\neval-run\n"


def test_search_quiet_prints_only_the_ids(tmp_path: Path, ctx: CommandContext) -> None:
    quiet = _context(tmp_path, quiet=True)
    assert _run(quiet, "episodes", "search", "evaluate an arithmetic literal", "-k", "1") == 0
    assert _output(quiet) == "eval-run\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["episodes", "list"],
        ["episodes", "list", "--status", "approved"],
        ["episodes", "search", "x"],
    ],
)
def test_an_empty_store_says_there_are_no_episodes_yet(tmp_path: Path, argv: list[str]) -> None:
    ctx = _context(tmp_path)
    assert _run(ctx, *argv) == 0
    assert _output(ctx).startswith("no episodes yet")


def test_a_filter_that_matches_nothing_says_so(ctx: CommandContext) -> None:
    assert _run(ctx, "episodes", "list", "--status", "rejected") == 0
    assert _output(ctx) == "no episodes match\n"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_an_export_with_nothing_to_write_exits_1_and_writes_nothing(
    ctx: CommandContext, tmp_path: Path, capsys: pytest.CaptureFixture[str], force: list[str]
) -> None:
    out = tmp_path / "dpo.jsonl"
    if force:
        out.write_text("old\n", encoding="utf-8")
    assert _run(ctx, "export", "--format", "dpo", "--out", str(out), *force) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("nothing to export: none of the 1 approved episodes")
    assert not (tmp_path / "dpo.card.md").exists()
    assert out.exists() == bool(force)
    if force:
        assert out.read_text(encoding="utf-8") == "old\n"


def test_a_dpo_export_pairs_an_approved_and_a_rejected_episode_of_one_task(
    ctx: CommandContext, tmp_path: Path
) -> None:
    open_store(ctx).add(
        make_episode("minus-run", final_code="def add(a, b):\n    return a - b\n", minutes=3)
    )
    assert _run(ctx, "review", "minus-run", "--reject") == 0
    out = tmp_path / "dpo.jsonl"
    assert _run(ctx, "export", "--format", "dpo", "--out", str(out)) == 0
    assert "wrote 1 pair to" in _output(ctx)
    [record] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "a - b" in record["rejected"][0]["content"]


def test_an_openai_export_says_openai_needs_ten_examples(
    ctx: CommandContext, tmp_path: Path
) -> None:
    assert _run(ctx, "export", "--format", "openai", "--out", str(tmp_path / "o.jsonl")) == 0
    assert "OpenAI fine-tuning needs at least 10 examples" in _output(ctx)
