"""The security verifier's own finding type and its confidence scale."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from typing import Any

from analysis.findings import Finding, Severity

TOOL_NAME = "security"


class Confidence(enum.IntEnum):
    """How sure a check is that a match is a real problem; ordered LOW < HIGH."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2


@dataclass(frozen=True, order=True)
class SecurityIssue:
    """One match of one security check; sorts in source order, then by id.

    ``line`` and ``col`` are 1-based (``0, 0``: the whole file).
    """

    line: int
    col: int
    id: str
    cwe: int
    severity: Severity
    confidence: Confidence
    message: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (severity and confidence by name)."""
        data = asdict(self)
        data["severity"] = self.severity.name
        data["confidence"] = self.confidence.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SecurityIssue:
        """Inverse of :meth:`to_dict`."""
        return cls(
            line=int(data["line"]),
            col=int(data["col"]),
            id=str(data["id"]),
            cwe=int(data["cwe"]),
            severity=Severity.parse(str(data["severity"])),
            confidence=Confidence[str(data["confidence"]).upper()],
            message=str(data["message"]),
        )

    def to_finding(self) -> Finding:
        """The issue as a common :class:`Finding` (tool ``security``, rule = check id)."""
        cwe = f"CWE-{self.cwe}" if self.cwe else "no CWE"
        message = f"{self.message} ({cwe}, {self.confidence.name.lower()} confidence)"
        return Finding(self.line, self.col, TOOL_NAME, self.id, self.severity, message)
