"""Checks: the tests code is run against, each with where it came from.

A :class:`Check` is Python source run after the code under test; a
:class:`Suite` is checks plus the set-up they share (a test file's imports and
helpers). Both are frozen and serialise to plain JSON, so a run's state and an
episode can carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

Origin = Literal["example", "user", "spec", "model"]
"""Where a check came from: ``example``, the task's or stub's own examples; ``user``, a
``--tests`` file; ``spec``, a ``--spec`` file; ``model``, written by the model (ranking only)."""

ORIGINS: tuple[Origin, ...] = get_args(Origin)


def parse_origin(value: object) -> Origin:
    """``value`` as an :data:`Origin`; ``ValueError`` names the allowed ones otherwise."""
    for origin in ORIGINS:
        if value == origin:
            return origin
    raise ValueError(f"unknown check origin {value!r} (allowed: {', '.join(ORIGINS)})")


@dataclass(frozen=True)
class Check:
    """One test: Python statements run after the code, the last an assert or a test call."""

    source: str
    origin: Origin
    label: str  # one line a person reads: "add(2, 3) == 5", or "test_empty"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"source": self.source, "origin": self.origin, "label": self.label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Check:
        """The check :meth:`to_dict` wrote; ``ValueError`` on an unknown origin."""
        return cls(
            source=str(data["source"]),
            origin=parse_origin(data["origin"]),
            label=str(data["label"]),
        )


@dataclass(frozen=True)
class Suite:
    """Checks in the order they run, and the statements run once before them."""

    checks: tuple[Check, ...] = ()
    setup: str = ""  # run after the code and before any check (a test file's imports, helpers)

    @property
    def sources(self) -> list[str]:
        """The checks' sources, in order: what a sandbox runs as tests."""
        return [check.source for check in self.checks]

    def of(self, *origins: Origin) -> Suite:
        """The checks of these origins, in order, with the same set-up."""
        return Suite(tuple(c for c in self.checks if c.origin in origins), self.setup)

    def __add__(self, other: Suite) -> Suite:
        """Both suites' checks in order, a source already present dropped; set-ups joined."""
        seen: set[str] = set()
        checks: list[Check] = []
        for check in (*self.checks, *other.checks):
            if check.source not in seen:
                seen.add(check.source)
                checks.append(check)
        return Suite(tuple(checks), join_setups(self.setup, other.setup))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"checks": [c.to_dict() for c in self.checks], "setup": self.setup}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Suite:
        """The suite :meth:`to_dict` wrote."""
        return cls(
            checks=tuple(Check.from_dict(c) for c in data.get("checks", ())),
            setup=str(data.get("setup", "")),
        )


def join_setups(*setups: str) -> str:
    """The non-empty set-ups in order, each once, separated by a blank line."""
    parts: list[str] = []
    for setup in setups:
        text = setup.strip("\n")
        if text.strip() and text not in parts:
            parts.append(text)
    return "\n\n".join(parts) + "\n" if parts else ""
