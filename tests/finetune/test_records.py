"""Record shapes of each format, on episode values."""

from __future__ import annotations

from finetune.pairs import PreferencePair
from finetune.records import (
    SYSTEM_PROMPT,
    demonstration_record,
    preference_record,
    user_message,
)
from tests.memory.factories import make_episode


def test_user_message_puts_the_stub_in_a_python_block() -> None:
    episode = make_episode("a", task="Add two numbers.", stub="def add(a, b):\n")
    assert user_message(episode) == "Add two numbers.\n\n```python\ndef add(a, b):\n```"


def test_sft_is_a_prompt_and_the_code_as_its_completion() -> None:
    episode = make_episode("a", task="Add two numbers.")
    assert demonstration_record(episode, "sft") == {
        "prompt": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": "Add two numbers."},
        ],
        "completion": [{"role": "assistant", "content": episode.final_code}],
    }


def test_openai_is_one_conversation_ending_with_the_code() -> None:
    episode = make_episode("a", task="Add two numbers.")
    record = demonstration_record(episode, "openai")
    assert record is not None
    assert set(record) == {"messages"}
    assert [m["role"] for m in record["messages"]] == ["system", "user", "assistant"]
    assert record["messages"][-1]["content"] == episode.final_code


def test_sft_and_openai_records_differ() -> None:
    episode = make_episode("a")
    assert demonstration_record(episode, "sft") != demonstration_record(episode, "openai")


def test_an_episode_without_code_has_no_record() -> None:
    assert demonstration_record(make_episode("a", final_code="  \n"), "sft") is None


def test_an_episode_without_a_request_has_no_record() -> None:
    assert demonstration_record(make_episode("a", task=" "), "openai") is None


def _pair(chosen: str = "good = 1\n", rejected: str = "bad = 1\n") -> PreferencePair:
    episode = make_episode("a", task="Set a flag.", final_code=chosen)
    return PreferencePair(episode, chosen, rejected, "rejected-episode", episode)


def test_dpo_is_trl_conversational_preference() -> None:
    record = preference_record(_pair(), "dpo")
    assert record is not None
    assert [m["role"] for m in record["prompt"]] == ["system", "user"]
    assert record["chosen"] == [{"role": "assistant", "content": "good = 1\n"}]
    assert record["rejected"] == [{"role": "assistant", "content": "bad = 1\n"}]


def test_openai_dpo_is_openai_preference() -> None:
    record = preference_record(_pair(), "openai-dpo")
    assert record is not None
    assert set(record) == {"input", "preferred_output", "non_preferred_output"}
    assert [m["role"] for m in record["input"]["messages"]] == ["system", "user"]
    assert record["preferred_output"] == [{"role": "assistant", "content": "good = 1\n"}]
    assert record["non_preferred_output"] == [{"role": "assistant", "content": "bad = 1\n"}]


def test_a_pair_with_empty_code_has_no_record() -> None:
    assert preference_record(_pair(rejected="\n"), "dpo") is None
