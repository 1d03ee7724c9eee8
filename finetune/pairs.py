"""Preference pairs: code that a person or a check preferred over other code for one request.

Every pair comes from something judged, for one task (the same task text and stub):

- ``rejected-episode``: an approved episode's final code over the final code of a
  rejected episode: a person judged both.
- ``failed-attempt``: an approved episode's final code over another attempt of its own
  run that failed a check the final code passes (a finding at ERROR or above, or an
  example or test).
- ``examples``: an attempt of an approved episode that passed every example and test,
  with no finding at ERROR or above, over an attempt of an approved or rejected episode
  that failed one.

The chosen code always comes from an approved episode, and pending episodes never take
part. Within a task each pair appears once (named by the first source that gives it),
code is never paired with itself, and two pairs that contradict each other (A over B,
B over A) are both dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from memory.episode import Attempt, Episode

PairSource = Literal["rejected-episode", "failed-attempt", "examples"]
PAIR_SOURCES: tuple[PairSource, ...] = get_args(PairSource)

TaskKey = tuple[str, str]


@dataclass(frozen=True)
class PreferencePair:
    """Two answers to one request, the better one first, and what judged them."""

    episode: Episode  # approved; the chosen code is its own, its task and stub the prompt
    chosen: str
    rejected: str
    source: PairSource
    rejected_from: Episode  # the episode the rejected code comes from (may be ``episode``)


def task_key(episode: Episode) -> TaskKey:
    """What makes two episodes the same request: their task text and stub."""
    return episode.task.strip(), (episode.stub or "").strip()


def final_attempt(episode: Episode) -> Attempt | None:
    """The attempt whose code the episode returned (the last one with that code), if any."""
    final_code = episode.final_code.strip()
    return next((a for a in reversed(episode.attempts) if a.code.strip() == final_code), None)


def failed_where_final_passed(attempt: Attempt, final: Attempt | None) -> bool:
    """Whether ``attempt`` failed a check that ``final`` (the returned attempt) passed: a
    finding at ERROR or above, or an example or test."""
    final_blocking = final is not None and final.blocking
    final_failed = final is not None and final.passed is False
    return (attempt.blocking and not final_blocking) or (
        attempt.passed is False and not final_failed
    )


def preference_pairs(
    approved: Sequence[Episode], rejected: Sequence[Episode]
) -> list[PreferencePair]:
    """Every pair that ``approved`` and ``rejected`` episodes give, task by task in the order
    of each task's oldest approved episode."""
    approved_by_task = _by_task(approved)
    rejected_by_task = _by_task(rejected)
    pairs: list[PreferencePair] = []
    for key, episodes in approved_by_task.items():
        pairs += _unique(_task_pairs(episodes, rejected_by_task.get(key, [])))
    return pairs


def _by_task(episodes: Iterable[Episode]) -> dict[TaskKey, list[Episode]]:
    grouped: dict[TaskKey, list[Episode]] = {}
    for episode in sorted(episodes, key=lambda e: (e.created_at, e.id)):
        grouped.setdefault(task_key(episode), []).append(episode)
    return grouped


def _task_pairs(approved: list[Episode], rejected: list[Episode]) -> Iterator[PreferencePair]:
    """The candidate pairs of one task, by source; duplicates are removed afterwards."""
    for episode in approved:
        for other in rejected:
            yield PreferencePair(
                episode, episode.final_code, other.final_code, "rejected-episode", other
            )
    for episode in approved:
        final = final_attempt(episode)
        for attempt in episode.attempts:
            if failed_where_final_passed(attempt, final):
                yield PreferencePair(
                    episode, episode.final_code, attempt.code, "failed-attempt", episode
                )
    passing = [
        (episode, attempt)
        for episode in approved
        for attempt in episode.attempts
        if attempt.passed is True and not attempt.blocking
    ]
    failing = [
        (episode, attempt)
        for episode in [*approved, *rejected]
        for attempt in episode.attempts
        if attempt.passed is False
    ]
    for episode, good in passing:
        for other, bad in failing:
            yield PreferencePair(episode, good.code, bad.code, "examples", other)


def _unique(pairs: Iterable[PreferencePair]) -> list[PreferencePair]:
    """Each (chosen, rejected) once, in order; no code against itself or against nothing,
    and neither of two pairs that contradict each other."""
    kept: dict[tuple[str, str], PreferencePair] = {}
    for pair in pairs:
        key = (pair.chosen.strip(), pair.rejected.strip())
        if all(key) and key[0] != key[1] and key not in kept:
            kept[key] = pair
    return [pair for (chosen, rejected), pair in kept.items() if (rejected, chosen) not in kept]
