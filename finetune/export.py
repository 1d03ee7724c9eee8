"""Write approved episodes as a JSONL dataset with a dataset card beside it.

Only episodes a person approved are ever exported. The dataset and its card
are both written to partial files in the target directory first and then
renamed into place together: if a rename fails, the file already renamed gets
its previous content back, so the pair changes together or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from config.errors import UserError
from finetune.card import ExportSummary, dataset_card
from finetune.records import FORMATS, ExportFormat, to_record
from memory.episode import Episode, ReviewStatus
from memory.store import EpisodeStore


class ExportError(UserError):
    """The export cannot be written where the user asked."""


def card_path_for(out: Path) -> Path:
    """Where the dataset card of ``out`` goes: ``train.jsonl`` -> ``train.card.md``."""
    return out.with_name(f"{out.stem}.card.md")


def export(store: EpisodeStore, fmt: ExportFormat, out: Path, force: bool = False) -> ExportSummary:
    """Write every approved episode that has a record in ``fmt`` to ``out``, plus its card.

    Refuses (``ExportError``) to overwrite either file unless ``force``.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = Path(out).expanduser()
    card = card_path_for(out)
    for target in (out, card):
        if target.exists() and not force:
            raise ExportError(f"{target} already exists: pass --force to overwrite it")
        if target.is_dir():
            raise ExportError(f"{target} is a directory: give a file path with --out")
    episodes = [
        e
        for e in store.list(status=ReviewStatus.APPROVED)
        if e.review_status is ReviewStatus.APPROVED
    ]
    exported: list[Episode] = []
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with written_together([out, card]) as (data, card_text):
            for episode in reversed(episodes):  # oldest first
                record = to_record(episode, fmt)
                if record is not None:
                    data.write(json.dumps(record, ensure_ascii=False) + "\n")
                    exported.append(episode)
            summary = _summarise(fmt, out, card, exported, skipped=len(episodes) - len(exported))
            card_text.write(dataset_card(summary))
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    return summary


@contextmanager
def written_together(targets: Sequence[Path]) -> Iterator[list[IO[str]]]:
    """UTF-8 text handles on partial files beside ``targets``, one each; when the block ends
    without error, every target is replaced by its partial file, or, if any replacement
    fails, none is (the ones already replaced get their previous content back).

    On any error the partial files are removed and the error is raised.
    """
    partials = [t.with_name(f".{t.name}.{os.getpid()}.partial") for t in targets]
    previous: list[Path | None] = []
    try:
        with ExitStack() as stack:
            handles: list[IO[str]] = [
                stack.enter_context(p.open("w", encoding="utf-8")) for p in partials
            ]
            yield handles
            for handle in handles:
                handle.flush()
                os.fsync(handle.fileno())
        for target in targets:
            previous.append(_keep_previous(target))
        _replace_all(partials, targets, previous)
    finally:
        for leftover in [*partials, *previous]:
            if leftover is not None:
                leftover.unlink(missing_ok=True)


def _keep_previous(target: Path) -> Path | None:
    """A second name for ``target``'s current content (None if it has none), so a failed
    replacement can put it back; the target itself stays in place meanwhile."""
    if not target.exists():
        return None
    kept = target.with_name(f".{target.name}.{os.getpid()}.previous")
    kept.unlink(missing_ok=True)
    try:
        os.link(target, kept)
    except OSError:  # no hard links on this file system
        shutil.copy2(target, kept)
    return kept


def _replace_all(
    sources: Sequence[Path], targets: Sequence[Path], previous: Sequence[Path | None]
) -> None:
    """Rename each source onto its target; on a failure, undo the renames already done."""
    done: list[int] = []
    try:
        for index, (source, target) in enumerate(zip(sources, targets, strict=True)):
            source.replace(target)
            done.append(index)
    except BaseException:
        for index in reversed(done):
            kept = previous[index]
            if kept is None:
                targets[index].unlink(missing_ok=True)
            else:
                kept.replace(targets[index])
        raise


def _summarise(
    fmt: ExportFormat, out: Path, card: Path, exported: list[Episode], skipped: int
) -> ExportSummary:
    models = sorted({f"{e.model_name} ({e.model_sha256})" for e in exported})
    created = [e.created_at for e in exported]
    return ExportSummary(
        format=fmt,
        path=out,
        card_path=card,
        written=len(exported),
        skipped=skipped,
        models=tuple(models),
        first_created=min(created, default=None),
        last_created=max(created, default=None),
        exported_at=datetime.now(UTC),
    )
