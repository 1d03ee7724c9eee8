"""Episode store benchmark: add, search and export on a real LanceDB table.

``python -m benchmarks.memory [--sizes 10000 100000]`` fills a fresh store per
size with synthetic episodes (hashing embedder at the GGUF's 640 dimensions),
then measures add latency (single and batched), hybrid search latency,
export throughput and disk size. Prints a markdown table and writes
``benchmarks/results/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from analysis.findings import Finding, Severity
from finetune.export import export
from memory.embedding import HashingEmbedder
from memory.episode import Attempt, Episode, Outcome, ReviewStatus
from memory.store import EpisodeStore

RESULTS = Path(__file__).parent / "results" / "memory.json"
DIM = 640  # the default GGUF's embedding width
BATCH = 1000

VERBS = [
    "parse",
    "sort",
    "validate",
    "merge",
    "filter",
    "count",
    "format",
    "hash",
    "read",
    "write",
    "compress",
    "encode",
    "decode",
    "split",
    "group",
    "rank",
    "normalise",
    "convert",
    "cache",
    "retry",
]
OBJECTS = [
    "an ISO date",
    "a list of dictionaries",
    "a CSV file",
    "a JSON document",
    "an email address",
    "a URL",
    "log lines",
    "a binary tree",
    "a matrix",
    "a config file",
    "an IPv4 address",
    "a phone number",
    "a markdown table",
    "a password",
    "a queue of jobs",
    "temperatures",
    "word frequencies",
    "a directed graph",
    "a bank statement",
    "HTTP headers",
]
QUALIFIERS = [
    "by key",
    "in place",
    "lazily",
    "with a timeout",
    "case-insensitively",
    "in chunks",
    "without recursion",
    "using a heap",
    "with type hints",
    "and report errors",
]


def synthetic_episode(i: int, rng: random.Random) -> Episode:
    """A plausible episode: a composed task, two attempts, one with an ERROR finding."""
    verb, obj, qual = rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)
    task = f"Write a function that {verb}s {obj} {qual} (variant {i})."
    name = f"{verb}_{obj.split()[-1].lower()}_{i}"
    good = f'def {name}(data: str) -> str:\n    """{task}"""\n    return data.strip()\n'
    bad = f"def {name}(data):\n    return eval(data)\n"
    finding = Finding(2, 11, "security", "SC001", Severity.ERROR, "eval() runs arbitrary code")
    attempts = (
        Attempt(1, bad, (finding,), 0.8, {"tokens": 40, "tokens_per_s": 22.0}, {"pruned": 1}),
        Attempt(2, good, (), 1.0, {"tokens": 52, "tokens_per_s": 21.0}, {"pruned": 0}),
    )
    return Episode(
        id=f"bench-{i:07d}",
        created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i),
        task=task,
        prompt=good.split('"""')[0],
        stub=None,
        final_code=good,
        attempts=attempts,
        outcome=Outcome.CLEAN,
        model_name="gemma-3-270m-q4_k_m.gguf",
        model_sha256="a5fd3b62230a",
        config_hash="bench",
        review_status=ReviewStatus.APPROVED if i % 5 == 0 else ReviewStatus.PENDING,
    )


def _percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
    }


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run_size(size: int, queries: int, workdir: Path) -> dict[str, Any]:
    """Fill a fresh store with ``size`` episodes and measure it."""
    rng = random.Random(size)
    path = workdir / f"store-{size}"
    shutil.rmtree(path, ignore_errors=True)
    embedder = HashingEmbedder(dim=DIM)
    store = EpisodeStore.open(path, embedder)
    episodes = [synthetic_episode(i, rng) for i in range(size)]

    embed_ms = _timed(lambda: embedder.embed([e.task for e in episodes[:BATCH]])) / BATCH
    batch_ms: list[float] = []
    for start in range(0, size, BATCH):
        chunk = episodes[start : start + BATCH]
        batch_ms.append(_timed(lambda chunk=chunk: store.add_many(chunk)) / len(chunk))
    optimize_s = _timed(store.optimize) / 1000

    single = [synthetic_episode(size + i, rng) for i in range(100)]
    single_ms = [_timed(lambda e=e: store.add(e)) for e in single]
    optimize_after_single_s = _timed(store.optimize) / 1000

    texts = [
        f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
        for _ in range(queries)
    ]
    store.search(texts[0], k=5)  # warm caches
    search_ms = [_timed(lambda t=t: store.search(t, k=5)) for t in texts]
    filtered_ms = [
        _timed(lambda t=t: store.search(t, k=5, status=ReviewStatus.APPROVED)) for t in texts[:50]
    ]
    retrieve_ms = [_timed(lambda t=t: store.retrieve_examples(t, k=2)) for t in texts[:50]]

    out = workdir / f"sft-{size}.jsonl"
    approved = store.count(status=ReviewStatus.APPROVED)
    export_s = _timed(lambda: export(store, "sft", out, force=True)) / 1000
    disk_mb = _disk_mb(path)
    store.optimize(keep_versions=timedelta(0))
    pruned_disk_mb = _disk_mb(path)
    return {
        "episodes": size + len(single),
        "embed_hash_ms_per_episode": round(embed_ms, 3),
        "add_batched_ms_per_episode": _percentiles(batch_ms) | {"batch": BATCH},
        "add_single_ms": _percentiles(single_ms),
        "optimize_s": round(optimize_s, 2),
        "optimize_after_100_adds_s": round(optimize_after_single_s, 2),
        "search_hybrid_k5": _percentiles(search_ms) | {"queries": len(search_ms)},
        "search_hybrid_k5_approved_filter": _percentiles(filtered_ms),
        "retrieve_examples_k2": _percentiles(retrieve_ms),
        "export_sft": {
            "approved": approved,
            "seconds": round(export_s, 2),
            "episodes_per_s": round(approved / export_s, 1),
        },
        "disk_mb": round(disk_mb, 1),
        "disk_mb_after_pruning_old_versions": round(pruned_disk_mb, 1),
    }


def _disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The results as a markdown table, one column per size."""
    sizes = list(results)
    rows = [
        ("embed (hashing, 640-d) ms/episode", lambda r: r["embed_hash_ms_per_episode"]),
        (
            "add batched (1000) ms/episode p50 / p95",
            lambda r: (
                f"{r['add_batched_ms_per_episode']['p50_ms']} / {r['add_batched_ms_per_episode']['p95_ms']}"
            ),
        ),
        (
            "add single ms p50 / p95",
            lambda r: f"{r['add_single_ms']['p50_ms']} / {r['add_single_ms']['p95_ms']}",
        ),
        ("optimize (compact + index) s", lambda r: r["optimize_s"]),
        (
            "hybrid search k=5 ms p50 / p95",
            lambda r: f"{r['search_hybrid_k5']['p50_ms']} / {r['search_hybrid_k5']['p95_ms']}",
        ),
        (
            "hybrid search, approved filter ms p50 / p95",
            lambda r: (
                f"{r['search_hybrid_k5_approved_filter']['p50_ms']} / {r['search_hybrid_k5_approved_filter']['p95_ms']}"
            ),
        ),
        (
            "retrieve_examples k=2 ms p50 / p95",
            lambda r: (
                f"{r['retrieve_examples_k2']['p50_ms']} / {r['retrieve_examples_k2']['p95_ms']}"
            ),
        ),
        (
            "export sft episodes/s",
            lambda r: (
                f"{r['export_sft']['episodes_per_s']} ({r['export_sft']['approved']} in {r['export_sft']['seconds']} s)"
            ),
        ),
        ("disk MB (versions of the last hour kept)", lambda r: r["disk_mb"]),
        ("disk MB after pruning old versions", lambda r: r["disk_mb_after_pruning_old_versions"]),
    ]
    lines = [
        "| metric | " + " | ".join(f"{int(s):,} episodes" for s in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]
    lines += [
        f"| {name} | " + " | ".join(str(get(results[s])) for s in sizes) + " |"
        for name, get in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark for each size, print markdown, write the JSON results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        for size in args.sizes:
            started = time.perf_counter()
            results[str(size)] = run_size(size, args.queries, Path(tmp))
            print(f"size {size}: {time.perf_counter() - started:.0f} s", flush=True)
    print(markdown(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "generated_at": datetime.now(UTC).isoformat(),
        "numpy": np.__version__,
        "results": results,
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
