"""Record shapes and DPO pair selection, on episode values."""

from __future__ import annotations

from analysis.findings import Severity
from finetune.records import rejected_attempt, to_record, user_message
from memory.episode import Attempt, Outcome
from tests.memory.factories import INSECURE_FINDING, STYLE_FINDING, make_episode, two_cycle_episode


def test_user_message_puts_the_stub_in_a_python_block() -> None:
    episode = make_episode("a", task="Add two numbers.", stub="def add(a, b):\n")
    assert user_message(episode) == "Add two numbers.\n\n```python\ndef add(a, b):\n```"


def test_dpo_pair_rejects_the_attempt_with_an_error_finding() -> None:
    episode = two_cycle_episode("a")
    rejected = rejected_attempt(episode)
    assert rejected is episode.attempts[0]


def test_dpo_pair_takes_the_latest_blocking_attempt() -> None:
    critical = INSECURE_FINDING.__class__(1, 0, "security", "SC002", Severity.CRITICAL, "shell")
    attempts = (
        Attempt(cycle=1, code="v1", findings=(INSECURE_FINDING,)),
        Attempt(cycle=2, code="v2", findings=(critical,)),
        Attempt(cycle=3, code="v3", findings=(STYLE_FINDING,)),
        Attempt(cycle=4, code="final", findings=()),
    )
    episode = make_episode("a", final_code="final", attempts=attempts)
    rejected = rejected_attempt(episode)
    assert rejected is not None
    assert rejected.code == "v2"


def test_no_pair_when_earlier_attempts_only_had_warnings() -> None:
    attempts = (
        Attempt(cycle=1, code="v1", findings=(STYLE_FINDING,)),
        Attempt(cycle=2, code="final"),
    )
    assert rejected_attempt(make_episode("a", final_code="final", attempts=attempts)) is None


def test_no_pair_when_the_run_did_not_end_clean() -> None:
    assert rejected_attempt(two_cycle_episode("a", outcome=Outcome.LIMIT)) is None


def test_no_pair_when_the_blocking_attempt_equals_the_final_code() -> None:
    attempts = (
        Attempt(cycle=1, code="same", findings=(INSECURE_FINDING,)),
        Attempt(cycle=2, code="same"),
    )
    assert rejected_attempt(make_episode("a", final_code="same", attempts=attempts)) is None


def test_an_episode_without_code_has_no_record() -> None:
    assert to_record(make_episode("a", final_code="  \n"), "sft") is None


def test_dpo_pair_rejects_clean_code_that_failed_its_examples() -> None:
    attempts = (
        Attempt(cycle=1, code="wrong", verification={"passed": False}),
        Attempt(cycle=2, code="right", verification={"passed": True}),
    )
    episode = make_episode("a", final_code="right", attempts=attempts)
    rejected = rejected_attempt(episode)
    assert rejected is not None
    assert rejected.code == "wrong"


def test_no_pair_when_the_final_code_failed_its_examples() -> None:
    attempts = (
        Attempt(cycle=1, code="worse", verification={"passed": False}),
        Attempt(cycle=2, code="final", verification={"passed": False}),
    )
    assert rejected_attempt(make_episode("a", final_code="final", attempts=attempts)) is None


def test_the_final_code_may_be_an_earlier_attempt_than_the_last() -> None:
    attempts = (
        Attempt(cycle=1, code="best", verification={"passed": True}),
        Attempt(cycle=2, code="a worse repair", verification={"passed": False}),
    )
    rejected = rejected_attempt(make_episode("a", final_code="best", attempts=attempts))
    assert rejected is not None
    assert rejected.code == "a worse repair"
