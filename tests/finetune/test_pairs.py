"""Preference pairs from what people and checks judged, on episode values."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.findings import Severity
from finetune.pairs import preference_pairs
from memory.episode import Attempt, Episode, ReviewStatus
from tests.memory.factories import (
    INSECURE_FINDING,
    STYLE_FINDING,
    checked_attempt,
    make_episode,
    two_cycle_episode,
)

APPROVED, REJECTED = ReviewStatus.APPROVED, ReviewStatus.REJECTED
TASK = "Write a function that adds two numbers."


def _pairs(
    approved: Sequence[Episode], rejected: Sequence[Episode] = ()
) -> list[tuple[str, str, str]]:
    """(chosen, rejected, source) of every pair, in order."""
    return [(p.chosen, p.rejected, p.source) for p in preference_pairs(approved, rejected)]


def test_an_approved_and_a_rejected_episode_of_one_task_give_one_pair() -> None:
    good = make_episode("good", TASK, "def add(a, b):\n    return a + b\n", review_status=APPROVED)
    bad = make_episode("bad", TASK, "def add(a, b):\n    return a - b\n", review_status=REJECTED)
    assert _pairs([good], [bad]) == [(good.final_code, bad.final_code, "rejected-episode")]


def test_a_rejected_episode_of_another_task_gives_no_pair() -> None:
    good = make_episode("good", TASK, "good = 1\n")
    other = make_episode("bad", "Write a function that subtracts.", "bad = 1\n")
    assert _pairs([good], [other]) == []


def test_the_same_task_needs_the_same_stub() -> None:
    good = make_episode("good", TASK, "good = 1\n", stub="def add(a, b):\n")
    other = make_episode("bad", TASK, "bad = 1\n", stub="def add(x, y):\n")
    assert _pairs([good], [other]) == []


def test_code_is_never_paired_with_itself() -> None:
    good = make_episode("good", TASK, "same = 1\n")
    bad = make_episode("bad", TASK, "same = 1\n\n")
    assert _pairs([good], [bad]) == []


def test_the_final_code_is_preferred_over_an_attempt_with_an_error_finding() -> None:
    episode = two_cycle_episode("a")
    assert _pairs([episode]) == [
        (episode.final_code, episode.attempts[0].code, "failed-attempt"),
    ]


def test_the_final_code_is_preferred_over_every_attempt_that_failed() -> None:
    critical = INSECURE_FINDING.__class__(1, 0, "security", "SC002", Severity.CRITICAL, "shell")
    attempts = (
        Attempt(cycle=1, code="v1", findings=(INSECURE_FINDING,)),
        Attempt(cycle=2, code="v2", findings=(critical,)),
        checked_attempt(3, "v3", passed=False),
        Attempt(cycle=4, code="v4", findings=(STYLE_FINDING,)),
        checked_attempt(5, "final", passed=True),
    )
    episode = make_episode("a", final_code="final", attempts=attempts)
    assert [rejected for _, rejected, _ in _pairs([episode])] == ["v1", "v2", "v3"]


def test_an_attempt_that_failed_what_the_final_code_also_failed_gives_no_pair() -> None:
    attempts = (
        checked_attempt(1, "worse", passed=False),
        checked_attempt(2, "final", passed=False),
    )
    assert _pairs([make_episode("a", final_code="final", attempts=attempts)]) == []


def test_the_final_code_may_be_an_earlier_attempt_than_the_last() -> None:
    attempts = (
        checked_attempt(1, "best", passed=True),
        checked_attempt(2, "a worse repair", passed=False),
    )
    pairs = _pairs([make_episode("a", final_code="best", attempts=attempts)])
    assert pairs == [("best", "a worse repair", "failed-attempt")]


def test_an_attempt_that_passed_the_examples_beats_one_that_failed_them_across_episodes() -> None:
    passing = make_episode(
        "p", TASK, "right", attempts=(checked_attempt(1, "right", passed=True),), minutes=1
    )
    failing = make_episode(
        "f", TASK, "wrong", attempts=(checked_attempt(1, "wrong", passed=False),), minutes=2
    )
    assert ("right", "wrong", "examples") in _pairs([passing, failing])


def test_a_rejected_episode_gives_only_the_rejected_side() -> None:
    approved = make_episode(
        "a", TASK, "approved", attempts=(checked_attempt(1, "approved", passed=False),)
    )
    rejected = make_episode(
        "r", TASK, "rejected", attempts=(checked_attempt(1, "rejected", passed=True),)
    )
    pairs = _pairs([approved], [rejected])
    assert pairs == [("approved", "rejected", "rejected-episode")]


def test_a_passing_attempt_with_an_error_finding_is_never_chosen() -> None:
    unsafe = make_episode(
        "u",
        TASK,
        "unsafe",
        attempts=(checked_attempt(1, "unsafe", passed=True, findings=(INSECURE_FINDING,)),),
    )
    failing = make_episode(
        "f", TASK, "wrong", attempts=(checked_attempt(1, "wrong", passed=False),), minutes=1
    )
    assert not [pair for pair in _pairs([unsafe, failing]) if pair[0] == "unsafe"]


def test_a_pair_two_sources_give_appears_once_named_by_the_first() -> None:
    attempts = (checked_attempt(1, "wrong", passed=False), checked_attempt(2, "right", passed=True))
    episode = make_episode("a", final_code="right", attempts=attempts)
    assert _pairs([episode]) == [("right", "wrong", "failed-attempt")]


def test_pairs_that_contradict_each_other_are_both_dropped() -> None:
    first = make_episode("one", TASK, "A", minutes=1)
    second = make_episode("two", TASK, "B", minutes=2)
    rejected_a = make_episode("ra", TASK, "A", minutes=3)
    rejected_b = make_episode("rb", TASK, "B", minutes=4)
    assert _pairs([first, second], [rejected_a, rejected_b]) == []
