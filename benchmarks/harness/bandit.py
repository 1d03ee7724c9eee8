"""Judge Python code with bandit, the reference security linter (a benchmark dependency).

The one bandit runner of the benchmarks: :func:`run_bandit_files` judges many
snippets in one bandit run, :func:`run_bandit` one snippet.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEVERITIES = ("LOW", "MEDIUM", "HIGH")


class BanditError(RuntimeError):
    """bandit could not be run or gave no readable report."""


@dataclass(frozen=True)
class BanditIssue:
    """One bandit result: its test id, severity, confidence, line, and the lines it spans."""

    test_id: str
    severity: str
    confidence: str
    line: int
    line_range: tuple[int, ...] = ()

    @property
    def lines(self) -> frozenset[int]:
        """The reported line and every line of bandit's ``line_range``."""
        return frozenset({self.line, *self.line_range})

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


def _issue(result: Mapping[str, Any]) -> BanditIssue:
    return BanditIssue(
        result["test_id"],
        result["issue_severity"],
        result["issue_confidence"],
        int(result["line_number"]),
        tuple(int(line) for line in result.get("line_range", ())),
    )


def run_bandit_files(files: Mapping[str, str], timeout_s: float = 600.0) -> dict[str, BanditReport]:
    """bandit's report on each snippet of ``files`` (name to code), from one run over them
    all as files; every severity and confidence is reported."""
    stems = {f"file{index}": name for index, name in enumerate(files)}
    with tempfile.TemporaryDirectory(prefix="bandit-") as folder:
        root = Path(folder)
        for stem, name in stems.items():
            (root / f"{stem}.py").write_text(files[name], encoding="utf-8")
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "bandit", "-r", str(root), "-f", "json", "-q"],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
            )
            report = json.loads(completed.stdout)
        except (OSError, subprocess.TimeoutExpired, ValueError) as error:
            raise BanditError(f"bandit failed: {error}") from error
    issues: dict[str, list[BanditIssue]] = {name: [] for name in files}
    for result in report.get("results", []):
        issues[stems[Path(result["filename"]).stem]].append(_issue(result))
    unparsed = {stems[Path(error["filename"]).stem] for error in report.get("errors", [])}
    return {
        name: BanditReport(parsed=name not in unparsed, issues=tuple(found))
        for name, found in issues.items()
    }


def run_bandit(code: str, timeout_s: float = 60.0) -> BanditReport:
    """Run bandit on ``code`` as a whole file (all severities and confidences reported)."""
    return run_bandit_files({"completion": code}, timeout_s)["completion"]
