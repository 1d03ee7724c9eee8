"""The run's attempt and the stored attempt: the stored one is a projection of the run's."""

from __future__ import annotations

import dataclasses
import typing

from memory.episode import VERIFICATION_KEYS
from memory.episode import Attempt as StoredAttempt
from nodes.state import Attempt


def test_every_stored_field_but_the_feedback_comes_from_the_runs_attempt() -> None:
    stored = {f.name for f in dataclasses.fields(StoredAttempt)}
    assert stored - {"feedback", "verification"} <= set(typing.get_type_hints(Attempt))


def test_every_verification_key_is_a_field_of_the_runs_attempt() -> None:
    assert set(VERIFICATION_KEYS) <= set(typing.get_type_hints(Attempt))
