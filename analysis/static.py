"""The static test: every active tool over generated code, one report per piece.

Runs ruff, pyright, the security verifier and the completeness checker (those
``ToolsSettings.active()`` names, in that order) and gathers their findings,
the completeness score, a clean/not-clean verdict and the wall time per tool.
pyright runs once for a whole batch. Nothing is ever executed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.completeness import check_completeness
from analysis.findings import Finding, Severity
from analysis.lint import lint
from analysis.typecheck import typecheck_many
from config.settings import ToolsSettings

if TYPE_CHECKING:
    from analysis.security import Policy

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class StaticReport:
    """What the static test said of one piece of code.

    ``completeness`` is 1.0 when the completeness checker is off. ``clean`` means no
    finding at ERROR or above and ``completeness`` at or above the configured threshold.
    ``seconds`` holds wall time per tool; a tool run once for a batch is split evenly.
    """

    findings: tuple[Finding, ...]
    completeness: float
    clean: bool
    seconds: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "completeness": self.completeness,
            "clean": self.clean,
            "seconds": dict(self.seconds),
        }


def run_static_tests(
    code: str,
    *,
    tools: ToolsSettings,
    stub: str | None = None,
    stopped_on_max_tokens: bool = False,
    policy: Policy | None = None,
) -> StaticReport:
    """The static report for one piece of code (the whole module, stub included)."""
    return run_static_tests_many(
        [code],
        tools=tools,
        stubs=[stub],
        stopped_on_max_tokens=[stopped_on_max_tokens],
        policy=policy,
    )[0]


def run_static_tests_many(
    codes: Sequence[str],
    *,
    tools: ToolsSettings,
    stubs: Sequence[str | None] | None = None,
    stopped_on_max_tokens: Sequence[bool] | None = None,
    policy: Policy | None = None,
) -> list[StaticReport]:
    """One static report per code, in order; pyright runs once for all of them.

    ``stubs`` and ``stopped_on_max_tokens``, when given, hold one entry per code.
    """
    count = len(codes)
    stub_of = list(stubs) if stubs is not None else [None] * count
    stopped = list(stopped_on_max_tokens) if stopped_on_max_tokens is not None else [False] * count
    if len(stub_of) != count or len(stopped) != count:
        raise ValueError("stubs and stopped_on_max_tokens need one entry per code")
    findings: list[list[Finding]] = [[] for _ in codes]
    seconds: list[dict[str, float]] = [{} for _ in codes]
    scores = [1.0] * count

    for tool in tools.active():
        if tool == "pyright":
            began = time.perf_counter()
            batch = typecheck_many(codes)
            share = (time.perf_counter() - began) / max(count, 1)
            for index, found in enumerate(batch):
                findings[index].extend(found)
                seconds[index][tool] = share
            continue
        for index, code in enumerate(codes):
            began = time.perf_counter()
            if tool == "ruff":
                found = lint(code, tools.ruff_select)
            elif tool == "security":
                found = _security_findings(code, policy)
            else:
                report = check_completeness(
                    code, stub=stub_of[index], stopped_on_max_tokens=stopped[index]
                )
                found, scores[index] = list(report.findings), report.score
            seconds[index][tool] = time.perf_counter() - began
            findings[index].extend(found)

    reports = [
        StaticReport(
            findings=tuple(sorted(findings[index])),
            completeness=scores[index],
            clean=_is_clean(findings[index], scores[index], tools.completeness_threshold),
            seconds=seconds[index],
        )
        for index in range(count)
    ]
    log.debug("static tests of %d codes: %s", count, [r.seconds for r in reports])
    return reports


def _security_findings(code: str, policy: Policy | None) -> list[Finding]:
    # Imported here: the verifier is optional for everything but this tool.
    from analysis.security import scan_findings

    return list(scan_findings(code, policy))


def _is_clean(findings: Sequence[Finding], score: float, threshold: float) -> bool:
    return score >= threshold and all(f.severity < Severity.ERROR for f in findings)
