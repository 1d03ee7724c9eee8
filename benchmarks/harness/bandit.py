"""Judge a Python file with bandit, the reference security linter (a benchmark dependency)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEVERITIES = ("LOW", "MEDIUM", "HIGH")


class BanditError(RuntimeError):
    """bandit could not be run or gave no readable report."""


@dataclass(frozen=True)
class BanditIssue:
    """One bandit result: its test id, severity, confidence and line."""

    test_id: str
    severity: str
    confidence: str
    line: int

    def at_least(self, severity: str) -> bool:
        """Whether this issue's severity is ``severity`` or higher."""
        return SEVERITIES.index(self.severity) >= SEVERITIES.index(severity)


@dataclass(frozen=True)
class BanditReport:
    """bandit's verdict on one file: whether it parsed, and its issues."""

    parsed: bool
    issues: tuple[BanditIssue, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "parsed": self.parsed,
            "issues": [
                {"test_id": i.test_id, "severity": i.severity, "confidence": i.confidence,
                 "line": i.line}
                for i in self.issues
            ],
        }


def run_bandit(code: str, timeout_s: float = 60.0) -> BanditReport:
    """Run bandit on ``code`` as a whole file (all severities and confidences reported)."""
    with tempfile.TemporaryDirectory(prefix="bandit-") as folder:
        path = Path(folder) / "completion.py"
        path.write_text(code, encoding="utf-8")
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "bandit", "-f", "json", "-q", str(path)],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
            report = json.loads(completed.stdout)
        except (OSError, subprocess.TimeoutExpired, ValueError) as error:
            raise BanditError(f"bandit failed: {error}") from error
    issues = tuple(
        BanditIssue(r["test_id"], r["issue_severity"], r["issue_confidence"], int(r["line_number"]))
        for r in report.get("results", [])
    )
    return BanditReport(parsed=not report.get("errors"), issues=issues)
