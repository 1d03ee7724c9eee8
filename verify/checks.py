"""Checks: the tests code is run against, each with where it came from.

A :class:`Check` is Python source run after the code under test; a
:class:`Suite` is checks plus the set-up they share (a test file's imports and
helpers). Both are frozen and serialise to plain JSON, so a run's state and an
episode can carry them.
"""

from __future__ import annotations

import builtins
import importlib
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

Origin = Literal["example", "user", "spec", "model"]
"""Where a check came from: ``example``, the task's or stub's own examples; ``user``, a
``--tests`` file; ``spec``, a ``--spec`` file; ``model``, written by the model (ranking only)."""

ORIGINS: tuple[Origin, ...] = get_args(Origin)

#: Checks whose failure is a verdict on the code: the task's own, never the model's.
VERDICT_ORIGINS: tuple[Origin, ...] = ("example", "user", "spec")

#: The outcome of a check the sandbox could not judge: the code or the check needs what the
#: sandbox withholds (a module outside its standard library, files, the network, processes).
UNJUDGED = "unjudged"

_MISSING_NAME = (
    re.compile(r"AttributeError: module '([\w.]+)' has no attribute '(\w+)'"),
    re.compile(r"ImportError: cannot import name '(\w+)' from '([\w.]+)'"),
)


def beyond_sandbox(error: str) -> bool:
    """Whether an error raised in the sandbox (its last line, ``ValueError: bad``) comes from
    what the sandbox withholds rather than from the code: a module it lacks, an ``OSError``
    (no file, directory, socket or process exists there), or an attribute the host's own
    standard-library module has (``os.system``, ``_socket.getaddrinfo``)."""
    name = error.split(":", 1)[0].strip()
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, (ModuleNotFoundError, OSError)):
        return True
    attribute_error, import_error = (pattern.match(error) for pattern in _MISSING_NAME)
    if attribute_error is not None:
        module, attribute = attribute_error.groups()
    elif import_error is not None:
        attribute, module = import_error.groups()
    else:
        return False
    if module.split(".")[0] not in sys.stdlib_module_names:
        return False
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


def judged_own(checks: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The task's and the user's checks (as dictionaries) the sandbox could judge."""
    return [
        c for c in checks if c.get("origin") in VERDICT_ORIGINS and c.get("outcome") != UNJUDGED
    ]


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
