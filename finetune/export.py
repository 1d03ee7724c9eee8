"""Write judged episodes as a JSONL dataset with a dataset card beside it.

Only episodes a person judged are ever used: approved ones give every record's
chosen code, rejected ones only the rejected side of a preference pair. An
export with no record writes nothing. The dataset and its card are both
written to partial files in the target directory first and then renamed into
place together: if a rename fails, the file already renamed gets its previous
content back, so the pair changes together or not at all.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from config.errors import UserError
from finetune.card import ExportSummary, dataset_card
from finetune.pairs import PAIR_SOURCES, PairSource, preference_pairs
from finetune.records import (
    FORMATS,
    PREFERENCE_FORMATS,
    ExportFormat,
    demonstration_record,
    preference_record,
)
from memory.episode import Episode, ReviewStatus
from memory.store import EpisodeStore


class ExportError(UserError):
    """The export cannot be written where the user asked."""


class NothingToExportError(Exception):
    """No episode gives a record in the format asked for, so nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Records:
    """The records of one format, and what they were made from."""

    lines: list[dict[str, Any]]
    approved: int  # approved episodes in the store
    used: list[Episode]  # every episode a record draws on, approved or rejected
    skipped: int  # approved episodes with no record
    pair_sources: dict[PairSource, int]  # preference formats: pairs by source


def card_path_for(out: Path) -> Path:
    """Where the dataset card of ``out`` goes: ``train.jsonl`` -> ``train.card.md``."""
    return out.with_name(f"{out.stem}.card.md")


def export(store: EpisodeStore, fmt: ExportFormat, out: Path, force: bool = False) -> ExportSummary:
    """Write every record that the judged episodes give in ``fmt`` to ``out``, plus its card.

    Refuses (``ExportError``) to overwrite either file unless ``force``, and to write
    where it cannot; raises ``NothingToExportError``, creating and changing nothing, when
    there is no record to write.
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
    records = collect(store, fmt)
    if not records.lines:
        _check_writable(out)
        raise NothingToExportError(_nothing_to_export(fmt, records.approved, out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with written_together([out, card]) as (data, card_text):
            for line in records.lines:
                data.write(json.dumps(line, ensure_ascii=False) + "\n")
            summary = _summarise(fmt, out, card, records)
            card_text.write(dataset_card(summary))
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    return summary


def collect(store: EpisodeStore, fmt: ExportFormat) -> Records:
    """The records of ``fmt`` from the store's judged episodes, oldest approved first."""
    approved = _reviewed(store, ReviewStatus.APPROVED)
    if fmt in PREFERENCE_FORMATS:
        pairs = preference_pairs(approved, _reviewed(store, ReviewStatus.REJECTED))
        made = [
            (pair, record)
            for pair in pairs
            if (record := preference_record(pair, "dpo" if fmt == "dpo" else "openai-dpo"))
        ]
        chosen_from = {pair.episode.id for pair, _ in made}
        used = {e.id: e for pair, _ in made for e in (pair.episode, pair.rejected_from)}
        sources = Counter(pair.source for pair, _ in made)
        return Records(
            lines=[record for _, record in made],
            approved=len(approved),
            used=list(used.values()),
            skipped=sum(e.id not in chosen_from for e in approved),
            pair_sources={source: sources[source] for source in PAIR_SOURCES},
        )
    made_from = [
        (episode, record)
        for episode in reversed(approved)  # oldest first
        if (record := demonstration_record(episode, "sft" if fmt == "sft" else "openai"))
    ]
    return Records(
        lines=[record for _, record in made_from],
        approved=len(approved),
        used=[episode for episode, _ in made_from],
        skipped=len(approved) - len(made_from),
        pair_sources={},
    )


def _reviewed(store: EpisodeStore, status: ReviewStatus) -> list[Episode]:
    """The store's episodes with review ``status``, newest first (checked again here: the
    review gate does not rest on the store's filter alone)."""
    return [e for e in store.list(status=status) if e.review_status is status]


def _nothing_to_export(fmt: ExportFormat, approved: int, out: Path) -> str:
    if approved == 0:
        why = "no episode is approved yet (approve some with `review`)"
    elif fmt in PREFERENCE_FORMATS:
        why = (
            f"none of the {approved} approved episodes has a preference pair (a rejected "
            "episode of the same task, or an attempt that failed a check its final code passes)"
        )
    else:
        why = f"none of the {approved} approved episodes has code to export"
    return f"nothing to export: {why}; {out} was not written"


def _check_writable(out: Path) -> None:
    """Raise ``ExportError`` when ``out`` could not be written; creates nothing."""
    folder = out.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        if not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None


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


def _summarise(fmt: ExportFormat, out: Path, card: Path, records: Records) -> ExportSummary:
    models = sorted({f"{e.model_name} ({e.model_sha256})" for e in records.used})
    created = [e.created_at for e in records.used]
    return ExportSummary(
        format=fmt,
        path=out,
        card_path=card,
        written=len(records.lines),
        skipped=records.skipped,
        models=tuple(models),
        first_created=min(created, default=None),
        last_created=max(created, default=None),
        exported_at=datetime.now(UTC),
        pair_sources=records.pair_sources,
    )
