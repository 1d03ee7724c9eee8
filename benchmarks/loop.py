"""Time per cycle of the loop, split by node and tool, and cycles to a clean result.

    python -m benchmarks.loop [--tasks 10] [--max-cycles 3] [--max-tokens 128]

Runs the real loop (real model, ruff, pyright, verifier, LanceDB) on simple
function-writing tasks and reports: generate / static test (per tool) /
reflect seconds per cycle, and how many tasks end clean after 1, 2 and 3
cycles. Writes ``benchmarks/results/loop.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.harness.modes import open_loop
from config.loader import load_settings
from orchestrator.report import RunReport
from orchestrator.runner import execute_run
from orchestrator.tasks import TaskSpec

TASKS = [
    "Write a function that returns the n-th Fibonacci number",
    "Write a function that checks whether a string is a palindrome",
    "Write a function that returns the largest element of a list of integers",
    "Write a function that counts the vowels in a string",
    "Write a function that reverses the words of a sentence",
    "Write a function that returns the factorial of n",
    "Write a function that removes duplicates from a list while keeping order",
    "Write a function that checks whether a number is prime",
    "Write a function that returns the sum of the digits of an integer",
    "Write a function that merges two sorted lists into one sorted list",
    "Write a function that converts a temperature from Celsius to Fahrenheit",
    "Write a function that returns the mean of a list of floats",
]

RESULTS = Path(__file__).with_name("results") / "loop.json"


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description="Time per cycle of the loop and cycles to clean.")
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--max-cycles", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    settings = load_settings(
        environ={},
        overrides={
            "cycles.max_cycles": args.max_cycles,
            "decoding.max_tokens": args.max_tokens,
            "model.path": args.model,
        },
    )
    reports: list[RunReport] = []
    with open_loop(settings, quiet=False) as (graph, run_ctx, ctx):
        for task in TASKS[: args.tasks]:
            start = time.perf_counter()
            reports.append(execute_run(graph, run_ctx, ctx, TaskSpec(task), yes=True))
            print(
                f"{task[:60]:60s} {reports[-1].status:8s} {reports[-1].cycles} cycle(s) "
                f"{time.perf_counter() - start:6.1f} s",
                flush=True,
            )
    summary = summarise(reports, args.max_cycles)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"settings": vars(args), "summary": summary, "runs": [r.to_dict() for r in reports]},
            indent=2,
        ),
        encoding="utf-8",
    )
    print(markdown(summary))


def summarise(reports: list[RunReport], max_cycles: int) -> dict[str, Any]:
    """Per-cycle timings (median and max) and clean counts after k cycles."""
    cycles = [(r, i, a) for r in reports for i, a in enumerate(r.attempts)]
    tools = sorted({t for _, _, a in cycles for t in a["tool_seconds"]})
    static = [sum(a["tool_seconds"].values()) for _, _, a in cycles]
    reflect = [s for r in reports for s in r.reflect_seconds]

    def stats(values: Sequence[float]) -> dict[str, float]:
        return {"median": statistics.median(values), "max": max(values)} if values else {}

    return {
        "tasks": len(reports),
        "cycles": len(cycles),
        "generate_s": stats([a["generate_seconds"] for _, _, a in cycles]),
        "static_test_s": stats(static),
        "per_tool_s": {
            t: stats([a["tool_seconds"].get(t, 0.0) for _, _, a in cycles]) for t in tools
        },
        "reflect_s": stats(reflect),
        "clean_after": {
            k: sum(1 for r in reports if r.status == "clean" and r.cycles <= k)
            for k in range(1, max_cycles + 1)
        },
        "statuses": {
            s: sum(1 for r in reports if r.status == s) for s in sorted({r.status for r in reports})
        },
    }


def markdown(summary: dict[str, Any]) -> str:
    """The summary as a markdown table."""
    rows = [
        ("generate", summary["generate_s"]),
        ("static test (all tools)", summary["static_test_s"]),
    ]
    rows += [(f"  {tool}", values) for tool, values in summary["per_tool_s"].items()]
    rows.append(("reflect", summary["reflect_s"]))
    lines = ["| step | median s per cycle | max s |", "|---|---:|---:|"]
    lines += [f"| {name} | {v.get('median', 0):.2f} | {v.get('max', 0):.2f} |" for name, v in rows]
    clean = ", ".join(f"{k}: {n}" for k, n in summary["clean_after"].items())
    lines.append("")
    lines.append(
        f"tasks {summary['tasks']}, cycles {summary['cycles']}; clean after k cycles: {clean}; "
        f"final statuses: {summary['statuses']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
