"""Exports from a real LanceDB store: the review gate, each format's shape, safe writes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, get_args

import pytest

from finetune.export import ExportError, card_path_for, export
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


def test_sft_lines_are_system_user_assistant_messages(store: EpisodeStore, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    summary = export(store, "sft", out)
    records = _lines(out)
    assert (summary.written, summary.skipped) == (2, 0)
    assert [[m["role"] for m in r["messages"]] for r in records] == [
        ["system", "user", "assistant"]
    ] * 2
    assert records[0]["messages"][0]["content"] == SYSTEM_PROMPT
    assert records[0]["messages"][2]["content"] == two_cycle_episode("x").final_code


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


def test_an_empty_store_exports_an_empty_file(tmp_path: Path) -> None:
    empty = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    summary = export(empty, "sft", tmp_path / "sft.jsonl")
    assert summary.written == 0
    assert (tmp_path / "sft.jsonl").read_text(encoding="utf-8") == ""


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
