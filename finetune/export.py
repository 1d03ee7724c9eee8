"""Write approved episodes as a JSONL dataset with a dataset card beside it.

Only episodes a person approved are ever exported. Both files are written to
a temporary file in the target directory and renamed into place, so an
interrupted export never leaves a half-written dataset.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from config.errors import UserError
from config.files import atomic_writer
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
        with atomic_writer(out) as handle:
            for episode in reversed(episodes):  # oldest first
                record = to_record(episode, fmt)
                if record is not None:
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    exported.append(episode)
        summary = _summarise(fmt, out, card, exported, skipped=len(episodes) - len(exported))
        with atomic_writer(card) as handle:
            handle.write(dataset_card(summary))
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    return summary


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
