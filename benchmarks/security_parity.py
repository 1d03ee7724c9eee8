"""Parity with bandit, check by check: the ``parity`` part of ``python -m benchmarks.security``.

bandit and the verifier judge the same files: the parity corpus (the snippets
of ``benchmarks/parity_corpus``, one file per case) and, when the data
is there, SecurityEval's ``Insecure_code`` snippets. For every bandit id the
verifier covers (the ids its rules name, ``Rule.bandit``) it counts the lines
bandit flags and whether the verifier reports one of the mapped rules on a
line of bandit's ``line_range``, and the reverse: lines where a mapped rule
fires and bandit reports none of its ids. The target counts bandit's MEDIUM and
HIGH lines; LOW lines are counted beside them. Every file, and every line
prefix of it (code as SABS sees it while decoding), also goes through
``scan`` and ``analyze_incremental``: an exception or an ``SC000`` issue is a
crash.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.security import SecurityIssue, analyze_incremental, loaded_registry, scan
from analysis.security.rules import INTERNAL_ERROR
from benchmarks.harness.bandit import BanditIssue, run_bandit_files
from benchmarks.parity_corpus import corpus

FLAGGING = ("MEDIUM", "HIGH")
TARGET_SHARE = 0.95


def corpus_files() -> dict[str, str]:
    """The parity corpus, one file per case: ``B311_3`` is the fourth case of B311."""
    return {
        f"{bandit_id}_{index}": item.code
        for bandit_id, cases in corpus().items()
        for index, item in enumerate(cases)
    }


def securityeval_files(path: Path) -> dict[str, str]:
    """SecurityEval's insecure reference snippets by id; empty when the file is absent."""
    if not path.is_file():
        return {}
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {
        "SE_" + record["ID"].removesuffix(".py").replace("-", "_"): record["Insecure_code"]
        for record in records
    }


def _attempt(
    crashes: list[str], label: str, run: Callable[[], Iterable[SecurityIssue]]
) -> list[SecurityIssue]:
    try:
        issues = list(run())
    except Exception as error:  # a crash is what this counts
        crashes.append(f"{label}: {type(error).__name__}: {error}")
        return []
    if any(issue.id == INTERNAL_ERROR.id for issue in issues):
        crashes.append(f"{label}: {INTERNAL_ERROR.id}")
    return issues


def verifier_issues(files: Mapping[str, str]) -> tuple[dict[str, list[SecurityIssue]], list[str]]:
    """The verifier's issues per file, and every crash on the files and their line prefixes."""
    crashes: list[str] = []
    found: dict[str, list[SecurityIssue]] = {}
    for name, code in files.items():
        found[name] = _attempt(crashes, name, lambda code=code: scan(code))
        lines = code.splitlines(keepends=True)
        for end in range(len(lines) + 1):
            prefix = "".join(lines[:end])
            _attempt(crashes, f"{name}[:{end}]", lambda p=prefix: analyze_incremental(p).issues)
    return found, crashes


def _empty_row() -> dict[str, Any]:
    return {
        "bandit_medium_high": 0,
        "found_medium_high": 0,
        "bandit_low": 0,
        "found_low": 0,
        "missed": [],
        "missed_low": [],
        "severities": Counter(),
    }


def compare(
    bandit: Mapping[str, Sequence[BanditIssue]], verifier: Mapping[str, list[SecurityIssue]]
) -> dict[str, Any]:
    """Per covered bandit id: bandit's lines, how many the verifier also reports, the misses;
    per verifier rule: lines it reports that bandit does not."""
    registry = loaded_registry()
    equivalents = registry.bandit_equivalents()
    rules = registry.rules
    by_id: dict[str, dict[str, Any]] = {test_id: _empty_row() for test_id in equivalents}
    uncovered: Counter[str] = Counter()
    only_verifier: dict[str, list[str]] = {}
    for name, hits in bandit.items():
        issues = verifier.get(name, [])
        for hit in hits:
            mapped = equivalents.get(hit.test_id)
            if mapped is None:
                if hit.severity in FLAGGING:
                    uncovered[hit.test_id] += 1
                continue
            row = by_id[hit.test_id]
            match = [i for i in issues if i.id in mapped and i.line in hit.lines]
            band = "medium_high" if hit.severity in FLAGGING else "low"
            row[f"bandit_{band}"] += 1
            if match:
                row[f"found_{band}"] += 1
                worst = max(match, key=lambda i: i.severity)
                row["severities"][f"{hit.severity}->{worst.severity.name}"] += 1
            else:
                row["missed" if band == "medium_high" else "missed_low"].append(
                    f"{name}:{hit.line}"
                )
        for issue in issues:
            ids = rules[issue.id].bandit if issue.id in rules else ()
            if ids and not any(h.test_id in ids and issue.line in h.lines for h in hits):
                only_verifier.setdefault(issue.id, []).append(f"{name}:{issue.line}")
    for row in by_id.values():
        row["severities"] = dict(sorted(row["severities"].items()))
    flagged = sum(row["bandit_medium_high"] for row in by_id.values())
    found = sum(row["found_medium_high"] for row in by_id.values())
    return {
        "bandit_medium_high": flagged,
        "found_medium_high": found,
        "share": found / flagged if flagged else 1.0,
        "target_share": TARGET_SHARE,
        "bandit_low": sum(row["bandit_low"] for row in by_id.values()),
        "found_low": sum(row["found_low"] for row in by_id.values()),
        "by_id": by_id,
        "verifier_only_by_rule": dict(sorted(only_verifier.items())),
        "uncovered_medium_high": dict(sorted(uncovered.items())),
    }


def parity(securityeval: Path) -> dict[str, Any]:
    """Run both tools on the corpus and on SecurityEval (when present); compare them."""
    sources = {"corpus": corpus_files(), "securityeval": securityeval_files(securityeval)}
    result: dict[str, Any] = {
        "securityeval_data": str(securityeval) if sources["securityeval"] else None
    }
    for label, files in sources.items():
        if not files:
            continue
        issues, crashes = verifier_issues(files)
        bandit = {name: report.issues for name, report in run_bandit_files(files).items()}
        result[label] = {"files": len(files), "crashes": crashes, **compare(bandit, issues)}
    both = [result[label] for label in sources if label in result]
    flagged = sum(part["bandit_medium_high"] for part in both)
    found = sum(part["found_medium_high"] for part in both)
    result["combined"] = {
        "bandit_medium_high": flagged,
        "found_medium_high": found,
        "share": found / flagged if flagged else 1.0,
        "crashes": sum(len(part["crashes"]) for part in both),
    }
    return result


def table(result: Mapping[str, Any]) -> list[str]:
    """Markdown: the totals per source, then one row per bandit id."""
    labels = [label for label in ("corpus", "securityeval") if label in result]
    lines = [
        "| Parity with bandit (covered ids) | files | bandit MEDIUM/HIGH lines | also found by the verifier | share | bandit LOW lines found | crashes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label in labels:
        part = result[label]
        lines.append(
            f"| {label} | {part['files']} | {part['bandit_medium_high']} | "
            f"{part['found_medium_high']} | {part['share']:.1%} | "
            f"{part['found_low']}/{part['bandit_low']} | {len(part['crashes'])} |"
        )
    combined = result["combined"]
    lines.append(
        f"| both | | {combined['bandit_medium_high']} | {combined['found_medium_high']} | "
        f"{combined['share']:.1%} | | {combined['crashes']} |"
    )
    lines += [
        "",
        "| bandit id | MEDIUM/HIGH found | LOW found | missed (MEDIUM/HIGH) |",
        "|---|---:|---:|---|",
    ]
    ids = sorted({test_id for label in labels for test_id in result[label]["by_id"]})
    for test_id in ids:
        rows = [result[label]["by_id"][test_id] for label in labels]
        flagged = sum(row["bandit_medium_high"] for row in rows)
        low = sum(row["bandit_low"] for row in rows)
        if not flagged and not low:
            continue
        found = sum(row["found_medium_high"] for row in rows)
        found_low = sum(row["found_low"] for row in rows)
        missed = ", ".join(m for row in rows for m in row["missed"]) or "-"
        lines.append(f"| {test_id} | {found}/{flagged} | {found_low}/{low} | {missed} |")
    only = Counter[str]()
    for label in labels:
        for rule_id, places in result[label]["verifier_only_by_rule"].items():
            only[rule_id] += len(places)
    if only:
        lines += [
            "",
            "Lines only the verifier reports, by rule: "
            + ", ".join(f"{rule_id} {count}" for rule_id, count in sorted(only.items())),
        ]
    return lines
