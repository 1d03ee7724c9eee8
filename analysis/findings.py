"""The one finding type every static check reports in.

ruff, pyright, the security verifier and the completeness checker each map
their own results onto :class:`Finding`, so the router, the reflect node and
the episode store deal with a single shape.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``max()`` gives the worst."""

    INFO = 0
    WARNING = 1
    ERROR = 2
    CRITICAL = 3

    @classmethod
    def parse(cls, name: str) -> Severity:
        """Return the severity called ``name`` (case-insensitive)."""
        try:
            return cls[name.upper()]
        except KeyError:
            allowed = ", ".join(s.name for s in cls)
            raise ValueError(f"unknown severity {name!r} (allowed: {allowed})") from None


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in generated code, as any tool reported it.

    Ordered by position first (``line``, ``col``), so sorting gives source order.
    ``line`` and ``col`` are 1-based; line 0 means "the whole file", col 0 "the whole line".
    """

    line: int
    col: int
    tool: str
    rule: str
    severity: Severity
    message: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (severity by name)."""
        data = asdict(self)
        data["severity"] = self.severity.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Inverse of :meth:`to_dict`."""
        return cls(
            line=int(data["line"]),
            col=int(data["col"]),
            tool=str(data["tool"]),
            rule=str(data["rule"]),
            severity=Severity.parse(str(data["severity"])),
            message=str(data["message"]),
        )

    def __str__(self) -> str:
        return f"{self.line}:{self.col} {self.severity.name} [{self.tool}:{self.rule}] {self.message}"
