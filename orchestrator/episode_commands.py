"""The CLI commands for the learning half: ``episodes``, ``review`` and ``export``.

Each handler takes ``(args, ctx)`` and returns the exit code; people get rich
tables, programs (``--json``) one JSON document. The store and its libraries
are imported when a command runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from config.errors import UsageError
from finetune.records import FORMATS
from memory.episode import Outcome, ReviewStatus
from orchestrator.command import EXIT_CLEAN, EXIT_NOT_CLEAN, CommandContext, confirm

if TYPE_CHECKING:
    from rich.console import Console

    from memory.store import EpisodeStore

_CHOICES = {"a": ReviewStatus.APPROVED, "r": ReviewStatus.REJECTED}


def register(
    subparsers: argparse._SubParsersAction,
    common: argparse.ArgumentParser | None = None,
) -> None:
    """Add the ``episodes``, ``review`` and ``export`` commands."""
    parents = [common] if common is not None else []

    episodes = subparsers.add_parser("episodes", help="list, show and search past runs")
    actions = episodes.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=parents, help="episodes, newest first")
    _add_filters(listing)
    listing.add_argument("--limit", type=_positive, default=20, help="at most this many (20)")
    listing.set_defaults(handler=handle_list)
    show = actions.add_parser("show", parents=parents, help="one episode in full")
    show.add_argument("episode_id", metavar="ID")
    show.set_defaults(handler=handle_show)
    search = actions.add_parser("search", parents=parents, help="episodes like a text")
    search.add_argument("text")
    search.add_argument("-k", type=_positive, default=5, help="how many results (5)")
    _add_filters(search)
    search.set_defaults(handler=handle_search)
    delete = actions.add_parser("delete", parents=parents, help="delete one episode")
    delete.add_argument("episode_id", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=handle_delete)
    reembed = actions.add_parser(
        "reembed", parents=parents, help="recompute vectors after changing the embedder"
    )
    reembed.set_defaults(handler=handle_reembed)

    review = subparsers.add_parser(
        "review", parents=parents, help="approve or reject episodes (interactive without ID)"
    )
    review.add_argument("episode_id", metavar="ID", nargs="?")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--approve", action="store_true", help="approve episode ID")
    decision.add_argument("--reject", action="store_true", help="reject episode ID")
    review.add_argument("--note", default="", help="a note kept with the decision")
    review.set_defaults(handler=handle_review)

    exporting = subparsers.add_parser(
        "export",
        parents=parents,
        help="write approved episodes as a fine-tuning dataset",
        description="Write approved episodes as a fine-tuning dataset, with a dataset card "
        "beside it. When no episode gives a record in the format, nothing is written and "
        "the exit code is 1.",
    )
    exporting.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="sft: TRL prompt-completion (loss on the code) | openai: OpenAI chat messages | "
        "dpo: TRL preference pairs | openai-dpo: OpenAI preference pairs",
    )
    exporting.add_argument("--out", required=True, type=Path, help="the JSONL file to write")
    exporting.add_argument("--force", action="store_true", help="overwrite an existing file")
    exporting.set_defaults(handler=handle_export)


def open_store(ctx: CommandContext) -> EpisodeStore:
    """The configured episode store with the configured embedder."""
    from memory.embedding import make_embedder
    from memory.store import EpisodeStore, store_path

    memory = ctx.settings.memory
    embedder = make_embedder(memory.embedder)
    return EpisodeStore.open(store_path(memory, ctx.data_dir), embedder)


def handle_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``episodes list``: a table of episodes, newest first (``-q``: their ids only)."""
    from orchestrator.episode_rendering import episodes_table

    store = _existing_store(ctx)
    episodes = (
        store.list(status=args.status, outcome=args.outcome, limit=args.limit) if store else []
    )
    if ctx.json_output:
        _print_json(ctx, [e.to_dict() for e in episodes])
    elif ctx.quiet:
        _print_ids(ctx, [e.id for e in episodes])
    elif not episodes:
        ctx.console.print(_none_found(store))
    else:
        total = store.count(status=args.status, outcome=args.outcome) if store else 0
        ctx.console.print(episodes_table(episodes, total=total))
    return 0


def handle_show(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``episodes show ID``: one episode with its code, findings and cycles."""
    from memory.store import UnknownEpisodeError
    from orchestrator.episode_rendering import episode_view

    episode = open_store(ctx).get(args.episode_id)
    if episode is None:
        raise UnknownEpisodeError(
            f"no episode has id {args.episode_id!r}: list them with `episodes list`"
        )
    if ctx.json_output:
        _print_json(ctx, episode.to_dict())
    else:
        ctx.console.print(episode_view(episode))
    return 0


def handle_delete(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``episodes delete ID``: remove one episode from the store, after a yes."""
    from memory.store import UnknownEpisodeError

    store = open_store(ctx)
    episode = store.get(args.episode_id)
    if episode is None:
        raise UnknownEpisodeError(
            f"no episode has id {args.episode_id!r}: list them with `episodes list`"
        )
    question = (
        f"delete episode {episode.id} ({episode.review_status.value}, {episode.outcome.value})?"
    )
    if not confirm(question, yes=args.yes):
        ctx.console.print("nothing deleted")
        return EXIT_NOT_CLEAN
    store.delete(episode.id)
    ctx.console.print(f"deleted episode {episode.id}")
    return EXIT_CLEAN


def handle_search(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``episodes search TEXT``: the most relevant episodes, best first (``-q``: their ids)."""
    from orchestrator.episode_rendering import hits_table

    store = _existing_store(ctx)
    hits = (
        store.search(args.text, args.k, status=args.status, outcome=args.outcome) if store else []
    )
    if ctx.json_output:
        _print_json(ctx, [{"score": h.score, **h.episode.to_dict()} for h in hits])
    elif ctx.quiet:
        _print_ids(ctx, [h.episode.id for h in hits])
    elif not hits:
        ctx.console.print(_none_found(store))
    else:
        ctx.console.print(hits_table(hits, args.text))
    return 0


def handle_reembed(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``episodes reembed``: recompute every vector with the configured embedder."""
    count = open_store(ctx).reembed()
    if ctx.json_output:
        _print_json(ctx, {"reembedded": count})
    else:
        ctx.console.print(f"re-embedded {count} episodes")
    return 0


def handle_review(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``review ID --approve|--reject``, or an interactive pass over pending episodes."""
    if args.episode_id is not None:
        if not (args.approve or args.reject):
            raise UsageError("pass --approve or --reject with an episode id")
        status = ReviewStatus.APPROVED if args.approve else ReviewStatus.REJECTED
        episode = open_store(ctx).set_review(args.episode_id, status, args.note)
        if ctx.json_output:
            _print_json(ctx, episode.to_dict())
        else:
            ctx.console.print(f"{episode.id}: {episode.review_status.value}", markup=False)
        return 0
    if args.approve or args.reject:
        raise UsageError("--approve and --reject need an episode id: review ID --approve")
    if not (sys.stdin.isatty() and ctx.console.is_terminal):
        raise UsageError(
            "review needs a terminal; without one use: review ID --approve|--reject [--note TEXT]"
        )
    counts = review_interactively(open_store(ctx), ctx.console)
    if ctx.json_output:
        _print_json(ctx, counts)
    return 0


def review_interactively(
    store: EpisodeStore, console: Console, stream: TextIO | None = None
) -> dict[str, int]:
    """Show each pending episode, oldest first, and record approve / reject / skip.

    Answers are read from ``stream`` (the terminal when None); "q" stops early.
    Returns how many were approved, rejected and skipped.
    """
    from rich.prompt import Prompt

    from orchestrator.episode_rendering import episode_view

    counts = {"approved": 0, "rejected": 0, "skipped": 0}
    pending = list(reversed(store.list(status=ReviewStatus.PENDING)))
    for number, episode in enumerate(pending, start=1):
        console.rule(f"pending episode {number} of {len(pending)}")
        console.print(episode_view(episode))
        answer = Prompt.ask(
            "(a)pprove, (r)eject, (s)kip or (q)uit",
            choices=["a", "r", "s", "q"],
            default="s",
            console=console,
            stream=stream,
        )
        if answer == "q":
            break
        if answer == "s":
            counts["skipped"] += 1
            continue
        note = Prompt.ask("note (optional)", default="", console=console, stream=stream)
        status = _CHOICES[answer]
        store.set_review(episode.id, status, note)
        counts[status.value] += 1
    console.print(
        f"approved {counts['approved']}, rejected {counts['rejected']}, skipped {counts['skipped']}"
    )
    return counts


def handle_export(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``export --format F --out PATH``: judged episodes only, with a dataset card; exit 1,
    writing nothing, when no episode gives a record in that format."""
    from finetune.export import NothingToExportError, export
    from finetune.records import OPENAI_MIN_EXAMPLES, PREFERENCE_FORMATS

    try:
        summary = export(open_store(ctx), args.format, args.out, force=args.force)
    except NothingToExportError as exc:
        sys.stderr.write(exc.message + "\n")
        if ctx.json_output:
            _print_json(ctx, {"format": args.format, "written": 0, "reason": exc.message})
        return EXIT_NOT_CLEAN
    if ctx.json_output:
        _print_json(
            ctx,
            {
                "format": summary.format,
                "path": str(summary.path),
                "card": str(summary.card_path),
                "written": summary.written,
                "skipped": summary.skipped,
                "models": list(summary.models),
                "pair_sources": dict(summary.pair_sources),
            },
        )
        return EXIT_CLEAN
    what = "pair" if summary.format in PREFERENCE_FORMATS else "record"
    line = (
        f"wrote {summary.written} {what}{'' if summary.written == 1 else 's'} to {summary.path} "
        f"({summary.skipped} approved episodes had none in this format); "
        f"card: {summary.card_path}"
    )
    if summary.format.startswith("openai") and summary.written < OPENAI_MIN_EXAMPLES:
        line += f"; OpenAI fine-tuning needs at least {OPENAI_MIN_EXAMPLES} examples"
    ctx.console.print(line, markup=False)
    return EXIT_CLEAN


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", type=ReviewStatus, choices=list(ReviewStatus), default=None)
    parser.add_argument("--outcome", type=Outcome, choices=list(Outcome), default=None)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {number}")
    return number


def _existing_store(ctx: CommandContext) -> EpisodeStore | None:
    """The episode store, or None when nothing was ever stored (then neither LanceDB nor
    the embedder needs to load to say so)."""
    from memory.store import has_episode_table, store_path

    if has_episode_table(store_path(ctx.settings.memory, ctx.data_dir)):
        return open_store(ctx)
    return None


def _none_found(store: EpisodeStore | None) -> str:
    """Why a listing is empty: nothing stored yet, or filters that match nothing."""
    if store is None or store.count() == 0:
        return "no episodes yet: every run logs one"
    return "no episodes match"


def _print_ids(ctx: CommandContext, ids: list[str]) -> None:
    """One id a line, nothing else: what ``-q`` prints for a script."""
    for episode_id in ids:
        ctx.console.out(episode_id, highlight=False)


def _print_json(ctx: CommandContext, document: Any) -> None:
    ctx.console.print_json(json.dumps(document, ensure_ascii=False))
