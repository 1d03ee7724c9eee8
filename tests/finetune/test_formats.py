"""Each export read as its consumer reads it.

- Hugging Face ``datasets`` (what TRL trains from) loads every file with
  ``load_dataset("json", ...)``.
- TRL itself needs torch, so it is not installed: its record shapes are checked against
  TRL's documentation, "Dataset formats and types" (huggingface.co/docs/trl/dataset_formats):
  SFTTrainer takes conversational prompt-completion records ``{"prompt": [messages],
  "completion": [messages]}`` (SFTConfig.completion_only_loss, by default, computes the loss
  on the completion alone) and DPOTrainer conversational preference records ``{"prompt",
  "chosen", "rejected"}``; a record is conversational when its column holds a list of
  ``{"role", "content"}`` dicts (``trl.data_utils.is_conversational``).
- OpenAI has no offline validator: the checks below are the ones OpenAI documents. Chat
  fine-tuning: the format checks of the OpenAI Cookbook's "Data preparation and analysis
  for chat model fine-tuning" (cookbook.openai.com/examples/chat_finetuning_data_prep): a
  non-empty ``messages`` list; each message with ``role`` and ``content`` and no key but
  role, content, name, function_call and weight; roles system, user, assistant; content a
  non-empty string; an assistant message in every example; ``weight``, 0 or 1, only on
  assistant messages (the fine-tuning guide). Preference fine-tuning: the guide "Direct
  preference optimization" (platform.openai.com/docs/guides/direct-preference-optimization):
  ``input`` with ``messages`` (optionally ``tools``, ``parallel_tool_calls``), and
  ``preferred_output`` and ``non_preferred_output``, each one assistant message, for a
  one-turn conversation (the input ends with the user's message).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest

from finetune.export import export
from finetune.records import FORMATS, ExportFormat
from memory.embedding import HashingEmbedder
from memory.episode import ReviewStatus
from memory.store import EpisodeStore
from tests.memory.factories import make_episode, two_cycle_episode

OPENAI_ROLES = {"system", "user", "assistant"}
OPENAI_MESSAGE_KEYS = {"role", "content", "name", "function_call", "weight"}
COLUMNS: dict[ExportFormat, set[str]] = {
    "sft": {"prompt", "completion"},
    "openai": {"messages"},
    "dpo": {"prompt", "chosen", "rejected"},
    "openai-dpo": {"input", "preferred_output", "non_preferred_output"},
}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def store(tmp_path: Path) -> EpisodeStore:
    """Approved episodes with and without pairs, a rejected one of the same task, a stub."""
    store = EpisodeStore.open(tmp_path / "memory", HashingEmbedder())
    store.add_many(
        [
            two_cycle_episode("pair", review_status=ReviewStatus.APPROVED, minutes=1),
            make_episode(
                "stubbed",
                stub="def add(a: int, b: int) -> int:\n",
                review_status=ReviewStatus.APPROVED,
                minutes=2,
            ),
            make_episode(
                "wrong",
                final_code="def add(a: int, b: int) -> int:\n    return a - b\n",
                stub="def add(a: int, b: int) -> int:\n",
                review_status=ReviewStatus.REJECTED,
                minutes=3,
            ),
        ]
    )
    return store


@pytest.fixture
def exported(store: EpisodeStore, tmp_path: Path) -> dict[ExportFormat, Path]:
    return {fmt: export(store, fmt, tmp_path / f"{fmt}.jsonl").path for fmt in FORMATS}


@pytest.mark.parametrize("fmt", FORMATS)
def test_datasets_loads_every_export_with_its_columns(
    exported: dict[ExportFormat, Path], tmp_path: Path, fmt: ExportFormat
) -> None:
    loaded = datasets.load_dataset(
        "json", data_files=str(exported[fmt]), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert set(loaded.column_names) == COLUMNS[fmt]
    assert loaded.num_rows == len(_lines(exported[fmt])) == 2
    assert loaded.to_list() == _lines(exported[fmt])


def test_sft_and_openai_files_differ(exported: dict[ExportFormat, Path]) -> None:
    assert exported["sft"].read_bytes() != exported["openai"].read_bytes()


def _is_trl_conversation(messages: Any, roles: set[str]) -> bool:
    return (
        isinstance(messages, list)
        and bool(messages)
        and all(
            isinstance(m, dict)
            and set(m) == {"role", "content"}
            and m["role"] in roles
            and isinstance(m["content"], str)
            for m in messages
        )
    )


def test_sft_records_are_trl_conversational_prompt_completion(
    exported: dict[ExportFormat, Path],
) -> None:
    for record in _lines(exported["sft"]):
        assert set(record) == {"prompt", "completion"}
        assert _is_trl_conversation(record["prompt"], {"system", "user"})
        assert record["prompt"][-1]["role"] == "user"
        assert _is_trl_conversation(record["completion"], {"assistant"})


def test_dpo_records_are_trl_conversational_preference(
    exported: dict[ExportFormat, Path],
) -> None:
    for record in _lines(exported["dpo"]):
        assert set(record) == {"prompt", "chosen", "rejected"}
        assert _is_trl_conversation(record["prompt"], {"system", "user"})
        assert _is_trl_conversation(record["chosen"], {"assistant"})
        assert _is_trl_conversation(record["rejected"], {"assistant"})
        assert record["chosen"] != record["rejected"]


def openai_chat_problems(messages: Any) -> list[str]:
    """What OpenAI's documented chat format checks find wrong with one example's messages."""
    if not isinstance(messages, list) or not messages:
        return ["missing_messages_list"]
    problems = []
    for message in messages:
        if not isinstance(message, dict):
            problems.append("data_type")
            continue
        if "role" not in message or "content" not in message:
            problems.append("message_missing_key")
        if set(message) - OPENAI_MESSAGE_KEYS:
            problems.append("message_unrecognized_key")
        if message.get("role") not in OPENAI_ROLES:
            problems.append("unrecognized_role")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            problems.append("missing_content")
        if "weight" in message and (
            message["role"] != "assistant" or message["weight"] not in (0, 1)
        ):
            problems.append("bad_weight")
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        problems.append("example_missing_assistant_message")
    return problems


def test_openai_chat_records_pass_openais_documented_checks(
    exported: dict[ExportFormat, Path],
) -> None:
    for record in _lines(exported["openai"]):
        assert set(record) == {"messages"}
        assert openai_chat_problems(record["messages"]) == []


def test_the_openai_checks_catch_what_they_document() -> None:
    assert openai_chat_problems([{"role": "user", "content": ""}]) == [
        "missing_content",
        "example_missing_assistant_message",
    ]
    assert openai_chat_problems([{"role": "tool", "content": "x", "extra": 1}]) == [
        "message_unrecognized_key",
        "unrecognized_role",
        "example_missing_assistant_message",
    ]


def test_openai_preference_records_have_openais_documented_shape(
    exported: dict[ExportFormat, Path],
) -> None:
    for record in _lines(exported["openai-dpo"]):
        assert set(record) == {"input", "preferred_output", "non_preferred_output"}
        assert set(record["input"]) <= {"messages", "tools", "parallel_tool_calls"}
        prompt = record["input"]["messages"]
        assert prompt[-1]["role"] == "user"
        for output in (record["preferred_output"], record["non_preferred_output"]):
            assert [m["role"] for m in output] == ["assistant"]
            assert openai_chat_problems(prompt + output) == []
