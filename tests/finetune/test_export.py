"""Exports from a real LanceDB store: the review gate, each format's shape, safe writes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import pytest

from finetune.card import ExportSummary, dataset_card
from finetune.export import ExportError, NothingToExportError, card_path_for, export
from finetune.records import SYSTEM_PROMPT, ExportFormat
from memory.embedding import HashingEmbedder
from memory.episode import ReviewStatus
from memory.store import EpisodeStore
from tests.memory.factories import make_episode, two_cycle_episode

FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)


@pytest.fixture
def store(tmp_path: Path) -> EpisodeStore:
    store = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    store.add_many(
        [
            two_cycle_episode("approved-pair", review_status=ReviewStatus.APPROVED, minutes=1),
            make_episode("approved-single", review_status=ReviewStatus.APPROVED, minutes=2),
            two_cycle_episode(
                "pending-pair", task="PENDING task", final_code="PENDING = 1\n", minutes=3
            ),
            two_cycle_episode(
                "rejected-pair",
                task="REJECTED task",
                final_code="REJECTED = 1\n",
                review_status=ReviewStatus.REJECTED,
                minutes=4,
            ),
        ]
    )
    return store


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_pending_and_rejected_episodes_never_reach_an_export(
    store: EpisodeStore, tmp_path: Path, fmt: ExportFormat
) -> None:
    out = tmp_path / f"{fmt}.jsonl"
    export(store, fmt, out)
    text = out.read_text(encoding="utf-8")
    assert "PENDING" not in text
    assert "REJECTED" not in text


def test_sft_lines_are_a_prompt_and_the_code_as_completion(
    store: EpisodeStore, tmp_path: Path
) -> None:
    out = tmp_path / "sft.jsonl"
    summary = export(store, "sft", out)
    records = _lines(out)
    assert (summary.written, summary.skipped) == (2, 0)
    assert [[m["role"] for m in r["prompt"]] for r in records] == [["system", "user"]] * 2
    assert records[0]["prompt"][0]["content"] == SYSTEM_PROMPT
    assert records[0]["completion"] == [
        {"role": "assistant", "content": two_cycle_episode("x").final_code}
    ]


def test_openai_chat_lines_hold_only_messages(store: EpisodeStore, tmp_path: Path) -> None:
    out = tmp_path / "openai.jsonl"
    export(store, "openai", out)
    assert [set(r) for r in _lines(out)] == [{"messages"}] * 2


def test_dpo_pairs_final_code_against_the_failing_attempt(
    store: EpisodeStore, tmp_path: Path
) -> None:
    out = tmp_path / "dpo.jsonl"
    summary = export(store, "dpo", out)
    episode = two_cycle_episode("approved-pair")
    assert (summary.written, summary.skipped) == (1, 1)
    [record] = _lines(out)
    assert [m["role"] for m in record["prompt"]] == ["system", "user"]
    assert record["chosen"] == [{"role": "assistant", "content": episode.final_code}]
    assert record["rejected"] == [{"role": "assistant", "content": episode.attempts[0].code}]


def test_openai_preference_lines_have_the_documented_shape(
    store: EpisodeStore, tmp_path: Path
) -> None:
    out = tmp_path / "openai-dpo.jsonl"
    export(store, "openai-dpo", out)
    episode = two_cycle_episode("approved-pair")
    [record] = _lines(out)
    assert set(record) == {"input", "preferred_output", "non_preferred_output"}
    assert [m["role"] for m in record["input"]["messages"]] == ["system", "user"]
    assert record["preferred_output"][0]["content"] == episode.final_code
    assert record["non_preferred_output"][0]["content"] == episode.attempts[0].code


def test_a_dataset_card_is_written_beside_the_file(store: EpisodeStore, tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    summary = export(store, "dpo", out)
    card = (tmp_path / "train.card.md").read_text(encoding="utf-8")
    assert summary.card_path == card_path_for(out) == tmp_path / "train.card.md"
    assert "- Records: 1" in card
    assert "skipped (no record in this format): 1" in card
    assert "gemma-3-270m-q4_k_m.gguf (0123456789ab)" in card
    assert "2026-01-01T12:01:00+00:00" in card


def test_an_existing_file_is_not_overwritten_without_force(
    store: EpisodeStore, tmp_path: Path
) -> None:
    out = tmp_path / "sft.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(ExportError, match="--force"):
        export(store, "sft", out)
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_force_overwrites(store: EpisodeStore, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    out.write_text("old\n", encoding="utf-8")
    export(store, "sft", out, force=True)
    assert len(_lines(out)) == 2


def test_a_failed_export_leaves_the_old_file_and_no_temporary(
    store: EpisodeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sft.jsonl"
    out.write_text("old\n", encoding="utf-8")

    def broken(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("config.files.os.fsync", broken)
    with pytest.raises(ExportError, match="No space left"):
        export(store, "sft", out, force=True)
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory", "sft.jsonl"]


def test_an_output_path_under_a_file_is_a_user_error(store: EpisodeStore, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="cannot write"):
        export(store, "sft", blocker / "sft.jsonl")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_store_exports_nothing_and_creates_no_file(
    tmp_path: Path, fmt: ExportFormat
) -> None:
    empty = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    with pytest.raises(NothingToExportError, match="no episode is approved yet"):
        export(empty, fmt, tmp_path / "new" / "data.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory"]


def test_an_export_with_no_record_leaves_the_old_files_as_they_were(tmp_path: Path) -> None:
    store = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    store.add(make_episode("single", review_status=ReviewStatus.APPROVED))
    out, card = tmp_path / "dpo.jsonl", tmp_path / "dpo.card.md"
    out.write_text("old data\n", encoding="utf-8")
    card.write_text("old card\n", encoding="utf-8")
    with pytest.raises(NothingToExportError, match="none of the 1 approved episodes"):
        export(store, "dpo", out, force=True)
    assert (out.read_text(encoding="utf-8"), card.read_text(encoding="utf-8")) == (
        "old data\n",
        "old card\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dpo.card.md", "dpo.jsonl", "memory"]


def test_an_unwritable_target_is_reported_before_there_being_nothing_to_export(
    tmp_path: Path,
) -> None:
    empty = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="cannot write"):
        export(empty, "sft", blocker / "sft.jsonl")


def test_an_approved_and_a_rejected_episode_of_one_task_give_one_dpo_pair(
    tmp_path: Path,
) -> None:
    store = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    good = make_episode("good", review_status=ReviewStatus.APPROVED, minutes=1)
    bad = make_episode(
        "bad",
        final_code="def add(a: int, b: int) -> int:\n    return a - b\n",
        review_status=ReviewStatus.REJECTED,
        minutes=2,
    )
    store.add_many([good, bad])
    out = tmp_path / "dpo.jsonl"
    summary = export(store, "dpo", out)
    [record] = _lines(out)
    assert record["chosen"] == [{"role": "assistant", "content": good.final_code}]
    assert record["rejected"] == [{"role": "assistant", "content": bad.final_code}]
    assert (summary.written, summary.skipped) == (1, 0)
    assert summary.pair_sources["rejected-episode"] == 1
    card = summary.card_path.read_text(encoding="utf-8")
    assert "- Pairs by source: rejected-episode 1" in card
    assert "between: 2026-01-01T12:01:00+00:00 and 2026-01-01T12:02:00+00:00" in card


def test_a_pending_episode_of_the_same_task_gives_no_pair(tmp_path: Path) -> None:
    store = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    store.add_many(
        [
            make_episode("good", review_status=ReviewStatus.APPROVED),
            make_episode("pending", final_code="PENDING = 1\n", minutes=1),
        ]
    )
    with pytest.raises(NothingToExportError):
        export(store, "dpo", tmp_path / "dpo.jsonl")


def _summary(**changes: Any) -> ExportSummary:
    fields: dict[str, Any] = {
        "format": "sft",
        "path": Path("train.jsonl"),
        "card_path": Path("train.card.md"),
        "written": 0,
        "skipped": 0,
        "models": (),
        "first_created": None,
        "last_created": None,
        "exported_at": datetime(2026, 1, 2, tzinfo=UTC),
    }
    return ExportSummary(**{**fields, **changes})


def test_a_card_with_nothing_to_date_or_name_leaves_those_fields_out() -> None:
    card = dataset_card(_summary())
    assert not [line for line in card.splitlines() if line.endswith((": -", " -"))]
    assert "between" not in card
    assert "Models that wrote the code" not in card
    assert "(none)" not in card


def test_a_card_of_one_day_gives_one_date() -> None:
    day = datetime(2026, 1, 1, tzinfo=UTC)
    card = dataset_card(_summary(written=1, first_created=day, last_created=day))
    assert "- Episodes created: 2026-01-01T00:00:00+00:00" in card
    assert "between" not in card


def _fail_renames_onto(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every rename onto a file called ``name`` fail, as a full or read-only disk would."""
    rename = Path.replace

    def replace(self: Path, target: str | os.PathLike[str]) -> Path:
        if Path(target).name == name:
            raise OSError(5, "Input/output error")
        return rename(self, target)

    monkeypatch.setattr(Path, "replace", replace)


@pytest.mark.parametrize("failing", ["sft.jsonl", "sft.card.md"])
def test_a_failed_rename_leaves_the_old_dataset_and_card_both(
    store: EpisodeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    out, card = tmp_path / "sft.jsonl", tmp_path / "sft.card.md"
    out.write_text("old data\n", encoding="utf-8")
    card.write_text("old card\n", encoding="utf-8")
    _fail_renames_onto(failing, monkeypatch)
    with pytest.raises(ExportError, match="Input/output error"):
        export(store, "sft", out, force=True)
    assert (out.read_text(encoding="utf-8"), card.read_text(encoding="utf-8")) == (
        "old data\n",
        "old card\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory", "sft.card.md", "sft.jsonl"]


def test_when_the_card_cannot_be_renamed_no_new_dataset_appears(
    store: EpisodeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_renames_onto("sft.card.md", monkeypatch)
    with pytest.raises(ExportError, match="Input/output error"):
        export(store, "sft", tmp_path / "sft.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory"]


def test_the_old_dataset_comes_back_on_a_file_system_without_hard_links(
    store: EpisodeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sft.jsonl"
    out.write_text("old data\n", encoding="utf-8")

    def no_links(*_: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr("finetune.export.os.link", no_links)
    _fail_renames_onto("sft.card.md", monkeypatch)
    with pytest.raises(ExportError):
        export(store, "sft", out, force=True)
    assert out.read_text(encoding="utf-8") == "old data\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory", "sft.jsonl"]
