"""Episode store benchmark: add, retrieve, search and export on a real LanceDB table.

``python -m benchmarks.memory [--sizes 1000 10000 100000] [--embedder minilm|hash]``
fills a fresh store per size with synthetic episodes through the product's own
``EpisodeStore.add_many`` and embedder (``memory.embedding.make_embedder``;
MiniLM, 384 dimensions, the default), so every stored vector is the embedding
of its own episode. It then measures the fill, add latency (single and
batched), the product's retrieval path (``EpisodeStore.retrieve_examples`` with
the default ``memory`` settings: embed the task, hybrid search among approved
episodes, similarity floor), the query embedding alone, hybrid search latency,
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
from benchmarks.machine import cpu_model, load_average
from config.settings import MemorySettings
from finetune.export import export
from memory.embedding import Embedder, EmbedderKind, make_embedder
from memory.episode import Attempt, Episode, Outcome, ReviewStatus
from memory.store import EpisodeStore, embedding_text

RESULTS = Path(__file__).parent / "results" / "memory.json"
BATCH = 1000
DEFAULTS = MemorySettings()  # retrieve_k, min_similarity and examples_from as shipped

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
        "p90_ms": round(ordered[max(0, int(len(ordered) * 0.90) - 1)], 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
    }


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run_size(size: int, queries: int, workdir: Path, embedder: Embedder) -> dict[str, Any]:
    """Fill a fresh store with ``size`` episodes and measure it."""
    rng = random.Random(size)
    path = workdir / f"store-{size}"
    shutil.rmtree(path, ignore_errors=True)
    store = EpisodeStore.open(path, embedder)
    episodes = [synthetic_episode(i, rng) for i in range(size)]

    sample = [embedding_text(e) for e in episodes[:BATCH]]
    embedder.embed(sample[:8])  # load the model before timing
    embed_ms = _timed(lambda: embedder.embed(sample)) / len(sample)
    batch_ms: list[float] = []
    fill_started = time.perf_counter()
    for start in range(0, size, BATCH):
        chunk = episodes[start : start + BATCH]
        batch_ms.append(_timed(lambda chunk=chunk: store.add_many(chunk)) / len(chunk))
    optimize_s = _timed(store.optimize) / 1000
    fill_s = time.perf_counter() - fill_started

    single = [synthetic_episode(size + i, rng) for i in range(100)]
    single_ms = [_timed(lambda e=e: store.add(e)) for e in single]
    optimize_after_single_s = _timed(store.optimize) / 1000

    texts = [
        f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}"
        for _ in range(queries)
    ]
    store.search(texts[0], k=5)  # warm caches
    embed_query_ms = [_timed(lambda t=t: embedder.embed([t])) for t in texts]
    retrieved: list[int] = []

    def retrieve(text: str, include_clean: bool) -> None:
        found = store.retrieve_examples(
            text,
            DEFAULTS.retrieve_k,
            include_clean=include_clean,
            min_similarity=DEFAULTS.min_similarity,
        )
        retrieved.append(len(found))

    retrieve_ms = [_timed(lambda t=t: retrieve(t, False)) for t in texts]
    shown = sum(retrieved) / len(retrieved)
    retrieved.clear()
    retrieve_clean_ms = [_timed(lambda t=t: retrieve(t, True)) for t in texts]
    search_ms = [_timed(lambda t=t: store.search(t, k=5)) for t in texts]
    filtered_ms = [
        _timed(lambda t=t: store.search(t, k=5, status=ReviewStatus.APPROVED)) for t in texts[:50]
    ]

    out = workdir / f"sft-{size}.jsonl"
    approved = store.count(status=ReviewStatus.APPROVED)
    export_s = _timed(lambda: export(store, "sft", out, force=True)) / 1000
    disk_mb = _disk_mb(path)
    store.optimize(keep_versions=timedelta(0))
    pruned_disk_mb = _disk_mb(path)
    return {
        "episodes": size + len(single),
        "embedder": f"{embedder.name} ({embedder.dim} dimensions)",
        "embed_ms_per_episode": round(embed_ms, 3),
        "fill_s": round(fill_s, 1),
        "add_batched_ms_per_episode": _percentiles(batch_ms) | {"batch": BATCH},
        "add_single_ms": _percentiles(single_ms),
        "optimize_s": round(optimize_s, 2),
        "optimize_after_100_adds_s": round(optimize_after_single_s, 2),
        "embed_query_ms": _percentiles(embed_query_ms),
        "retrieve_examples": _percentiles(retrieve_ms)
        | {"queries": len(retrieve_ms), "mean_examples_shown": round(shown, 2)},
        "retrieve_examples_approved_or_clean": _percentiles(retrieve_clean_ms)
        | {"mean_examples_shown": round(sum(retrieved) / len(retrieved), 2)},
        "search_hybrid_k5": _percentiles(search_ms) | {"queries": len(search_ms)},
        "search_hybrid_k5_approved_filter": _percentiles(filtered_ms),
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

    def spread(key: str) -> Callable[[dict[str, Any]], str]:
        return lambda r: f"{r[key]['p50_ms']} / {r[key]['p90_ms']} / {r[key]['p95_ms']}"

    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("embedder", lambda r: r["embedder"]),
        ("embed, ms per episode (batch of 1,000)", lambda r: r["embed_ms_per_episode"]),
        ("fill (add_many by 1,000 + compaction and index), s", lambda r: r["fill_s"]),
        ("add batched, ms per episode p50 / p90 / p95", spread("add_batched_ms_per_episode")),
        ("add one at a time, ms p50 / p90 / p95", spread("add_single_ms")),
        ("compaction + index, s", lambda r: r["optimize_s"]),
        ("embed the query alone, ms p50 / p90 / p95", spread("embed_query_ms")),
        (
            f"retrieve_examples k={DEFAULTS.retrieve_k} floor {DEFAULTS.min_similarity} "
            "(approved), ms p50 / p90 / p95",
            spread("retrieve_examples"),
        ),
        ("  mean examples shown", lambda r: r["retrieve_examples"]["mean_examples_shown"]),
        (
            "retrieve_examples, approved_or_clean, ms p50 / p90 / p95",
            spread("retrieve_examples_approved_or_clean"),
        ),
        ("hybrid search k=5, ms p50 / p90 / p95", spread("search_hybrid_k5")),
        (
            "hybrid search k=5, approved filter, ms p50 / p90 / p95",
            spread("search_hybrid_k5_approved_filter"),
        ),
        (
            "export sft episodes/s",
            lambda r: (
                f"{r['export_sft']['episodes_per_s']} ({r['export_sft']['approved']} in "
                f"{r['export_sft']['seconds']} s)"
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
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--embedder", choices=["minilm", "hash"], default="minilm", help="as memory.embedder"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    kind: EmbedderKind = args.embedder
    embedder = make_embedder(kind)
    results: dict[str, dict[str, Any]] = {}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        for size in args.sizes:
            started = time.perf_counter()
            results[str(size)] = run_size(size, args.queries, Path(tmp), embedder) | {
                "load_average_after": load_average()
            }
            print(f"size {size}: {time.perf_counter() - started:.0f} s", flush=True)
    print(markdown(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "generated_at": datetime.now(UTC).isoformat(),
        "numpy": np.__version__,
        "cpu": cpu_model(),
        "load_average_before": load_before,
        "results": results,
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
