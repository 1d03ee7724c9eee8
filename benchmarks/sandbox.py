"""Sandbox cost: compiling the runtime, loading it, and one check of a function by its tests.

``python -m benchmarks.sandbox [--repeats 20]`` measures, on the installed
CPython WASI runtime (``python -m verify.runtime`` first):

- the compilation of the runtime from scratch by wasmtime (once; set-up pays
  it, and a sandbox pays it only if set-up did not);
- the load of the compiled module from the cache (``Module.deserialize_file``)
  and the whole ``Sandbox.open``, which also checks the sha256 of the runtime
  and of the compiled module;
- one sandbox check of a 20-line function with 10 ``assert f(x) == y`` tests,
  and an empty run (interpreter start, driver, no code) for comparison:
  median and p90 over the repeats; every repeat is a fresh instance.

It prints a Markdown table and writes ``benchmarks/results/sandbox.json``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from wasmtime import Module

from benchmarks.harness.report import write_json
from verify.runtime import CPYTHON_WASI, install_runtime, new_engine
from verify.sandbox import Limits, Sandbox

RESULTS = Path(__file__).parent / "results" / "sandbox.json"

FUNCTION = '''\
def merge_intervals(intervals):
    """Merge overlapping closed intervals; the result is sorted by start."""
    if not intervals:
        return []
    ordered = sorted(intervals)
    merged = [list(ordered[0])]
    for start, end in ordered[1:]:
        last = merged[-1]
        if start <= last[1]:
            last[1] = max(last[1], end)
        else:
            merged.append([start, end])
    result = []
    for low, high in merged:
        result.append((low, high))
    return result


if __name__ == "__main__":
    print(merge_intervals([(1, 3), (2, 6), (8, 10)]))
'''

TESTS = (
    "assert merge_intervals([]) == []",
    "assert merge_intervals([(1, 2)]) == [(1, 2)]",
    "assert merge_intervals([(1, 3), (2, 6), (8, 10)]) == [(1, 6), (8, 10)]",
    "assert merge_intervals([(1, 4), (4, 5)]) == [(1, 5)]",
    "assert merge_intervals([(5, 6), (1, 2)]) == [(1, 2), (5, 6)]",
    "assert merge_intervals([(1, 10), (2, 3), (4, 5)]) == [(1, 10)]",
    "assert merge_intervals([(1, 2), (3, 4), (5, 6)]) == [(1, 2), (3, 4), (5, 6)]",
    "assert merge_intervals([(0, 0), (0, 0)]) == [(0, 0)]",
    "assert merge_intervals([(-3, -1), (-2, 2)]) == [(-3, 2)]",
    "assert merge_intervals([(i, i + 1) for i in range(100)]) == [(0, 100)]",
)


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    """Wall seconds of ``action``, once per repeat."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def summary(samples: Sequence[float]) -> dict[str, Any]:
    """Median and p90 in milliseconds."""
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) > 1 else samples[0]
    return {
        "repeats": len(samples),
        "median_ms": round(1000 * statistics.median(samples), 2),
        "p90_ms": round(1000 * p90, 2),
    }


def measure(repeats: int) -> dict[str, Any]:
    """Every measurement of the module docstring."""
    runtime = install_runtime()
    engine = new_engine()
    started = time.perf_counter()
    module = Module.from_file(engine, str(runtime))
    compile_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="sandbox-benchmark-") as folder:
        serialized = Path(folder) / "python.cwasm"
        serialized.write_bytes(bytes(module.serialize()))
        compiled_bytes = serialized.stat().st_size
        load = timed(lambda: Module.deserialize_file(engine, str(serialized)), repeats)
    opens = timed(lambda: Sandbox.open().close(), max(3, repeats // 4))
    with Sandbox.open(Limits()) as sandbox:
        first = sandbox.run(FUNCTION, TESTS)
        if not first.passed:
            raise SystemExit(f"the benchmark's own check does not pass: {first.to_dict()}")
        empty = timed(lambda: sandbox.run(""), repeats)
        check = timed(lambda: sandbox.run(FUNCTION, TESTS), repeats)
    return {
        "runtime": {
            "package": CPYTHON_WASI.requirement,
            "python": CPYTHON_WASI.python,
            "wasm_bytes": CPYTHON_WASI.size,
            "compiled_bytes": compiled_bytes,
        },
        "wasmtime": importlib.metadata.version("wasmtime"),
        "host": {
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
            "python": platform.python_version(),
        },
        "compile_s": round(compile_s, 2),
        "deserialize": summary(load),
        "sandbox_open": summary(opens),
        "empty_run": summary(empty),
        "check_20_lines_10_asserts": summary(check),
    }


def table(report: dict[str, Any]) -> str:
    """The measurements as a Markdown table."""
    rows = [
        ("compile the runtime from scratch (once)", f"{report['compile_s'] * 1000:.0f}", "", 1),
        ("load the compiled module (deserialize_file)", *_ms(report["deserialize"])),
        ("Sandbox.open (sha256 checks + load + linker)", *_ms(report["sandbox_open"])),
        ("empty run (interpreter + driver, no code)", *_ms(report["empty_run"])),
        ("check: 20-line function, 10 asserts", *_ms(report["check_20_lines_10_asserts"])),
    ]
    lines = ["| step | median ms | p90 ms | repeats |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {median} | {p90} | {n} |" for name, median, p90, n in rows]
    return "\n".join(lines)


def _ms(stats: dict[str, Any]) -> tuple[str, str, int]:
    return f"{stats['median_ms']:.2f}", f"{stats['p90_ms']:.2f}", stats["repeats"]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sandbox", description=__doc__)
    parser.add_argument("--repeats", type=int, default=20, help="runs per timed step")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    report = measure(max(2, args.repeats))
    report["load_average_before"] = load_before
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    write_json(args.output, report)
    print(table(report))
    print(f"wasmtime {report['wasmtime']}, {report['host']['cpus']} CPUs, load average "
          f"{report['load_average_before']} -> {report['load_average_after']}")  # fmt: skip
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
