"""Tasks per minute of a batch on Ray with 1 and 2 workers, and what the single writer costs.

    python -m benchmarks.cluster [--tasks 8] [--max-tokens 64] [--max-cycles 1]
                                 [--layouts 1x1,1x2,2x1] [--writer-episodes 256]

Each layout ``WxT`` (W workers with T CPU threads each) runs the same batch
through the real command, ``main.py run --tasks FILE --workers W --json``,
on a local Ray instance with the default model and a fresh episode store,
and reports the command's own figures: tasks per minute from the first
loaded worker to the last task (steady state), the wall time including Ray's
start and the model loads, and the driver's time committing episodes.

The writer part times the driver's only store work, ``EpisodeStore.add_many``
with the MiniLM embedder, on copies of an episode the batch produced, one
per commit and in commits of 16: how many episodes per second one writer
takes, which bounds the number of workers it can serve.

Writes ``benchmarks/results/cluster.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.loop import TASKS  # the same small tasks as the loop benchmark

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results") / "cluster.json"


def run_layout(
    workers: int, threads: int, tasks: list[str], args: argparse.Namespace, work: Path
) -> dict[str, Any]:
    """One batch through the CLI on a fresh store; the command's JSON figures plus wall time."""
    folder = work / f"{len(list(work.iterdir())):02d}-{workers}x{threads}"
    folder.mkdir()
    config = folder / "config.yaml"
    config.write_text(
        f"model:\n  n_threads: {threads}\n"
        f"decoding:\n  max_tokens: {args.max_tokens}\n"
        f"cycles:\n  max_cycles: {args.max_cycles}\n",
        encoding="utf-8",
    )
    batch = folder / "tasks.jsonl"
    batch.write_text("".join(json.dumps({"task": t}) + "\n" for t in tasks), encoding="utf-8")
    command = [
        sys.executable,
        str(ROOT / "main.py"),
        "run",
        "--tasks",
        str(batch),
        "--workers",
        str(workers),
        "--config",
        str(config),
        "--yes",
        "--json",
    ]
    env = {**os.environ, "SUPERCODER_DATA_DIR": str(folder / "data")}
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{workers}x{threads}: exit {done.returncode}: {done.stderr[-2000:]}")
    document = json.loads(done.stdout)
    batch_figures = document["batch"]
    return {
        "workers": workers,
        "threads_per_worker": threads,
        "tasks": len(tasks),
        "wall_seconds": round(wall, 2),
        "tasks_per_minute_steady": batch_figures["tasks_per_minute"],
        "tasks_per_minute_wall": round(60.0 * len(tasks) / wall, 3),
        "load_average_before": round(load, 2),
        "statuses": document["counts"],
        "task_seconds": [t["seconds"] for t in document["tasks"]],
        "batch": batch_figures,
        "data_dir": str(folder / "data"),
    }


def writer_cost(data_dir: Path, episodes: int, work: Path) -> dict[str, Any]:
    """Episodes per second one writer commits, one per commit and 16 per commit."""
    from memory.embedding import make_embedder
    from memory.store import EpisodeStore

    source = EpisodeStore.open(data_dir / "memory", make_embedder("hash")).list(limit=1)[0]
    embedder = make_embedder("minilm")
    figures: dict[str, Any] = {"episodes": episodes, "embedder": embedder.name}
    for per_commit in (1, 16):
        store = EpisodeStore.open(work / f"writer-{per_commit}", embedder)
        copies = [
            dataclasses.replace(source, id=f"writer-{per_commit}-{i}") for i in range(episodes)
        ]
        start = time.perf_counter()
        for i in range(0, episodes, per_commit):
            store.add_many(copies[i : i + per_commit])
        seconds = time.perf_counter() - start
        assert store.count() == episodes
        figures[f"per_commit_{per_commit}"] = {
            "seconds": round(seconds, 3),
            "episodes_per_second": round(episodes / seconds, 1),
            "ms_per_episode": round(1000 * seconds / episodes, 2),
        }
    return figures


def main() -> None:
    """Run every layout, then the writer part; print a table and write the JSON."""
    parser = argparse.ArgumentParser(description="Tasks per minute on Ray with 1 and 2 workers.")
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--max-cycles", type=int, default=1)
    parser.add_argument(
        "--layouts",
        default="1x1,2x1,1x2,1x1,2x1",
        help="WORKERSxTHREADS, comma-separated, run in this order (repeat one to see the noise)",
    )
    parser.add_argument("--writer-episodes", type=int, default=256)
    args = parser.parse_args()
    tasks = TASKS[: args.tasks]
    layouts = [tuple(int(n) for n in item.split("x")) for item in args.layouts.split(",")]

    with tempfile.TemporaryDirectory(prefix="sc-bench-") as temp:
        work = Path(temp)
        runs = []
        for workers, threads in layouts:
            runs.append(run_layout(workers, threads, tasks, args, work))
            r = runs[-1]
            print(
                f"{workers} worker(s) x {threads} thread(s): "
                f"{r['tasks_per_minute_steady']} tasks/min steady, "
                f"{r['tasks_per_minute_wall']} tasks/min wall ({r['wall_seconds']} s), "
                f"load {r['load_average_before']}",
                flush=True,
            )
        writer = writer_cost(Path(runs[-1]["data_dir"]), args.writer_episodes, work)
    for r in runs:
        del r["data_dir"]
    record = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "settings": vars(args),
        "runs": runs,
        "writer": writer,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(markdown(record))


def markdown(record: dict[str, Any]) -> str:
    """The layouts and the writer's cost as markdown tables."""
    lines = [
        "| workers x threads | tasks/min (steady) | tasks/min (wall) | wall s | Ray start s "
        "| first model loaded s | commit ms per episode |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in record["runs"]:
        b = r["batch"]
        per_episode = 1000 * b["commit_seconds"] / max(1, b["episodes_written"])
        lines.append(
            f"| {r['workers']} x {r['threads_per_worker']} | {b['tasks_per_minute']:.2f} "
            f"| {r['tasks_per_minute_wall']:.2f} | {r['wall_seconds']:.1f} "
            f"| {b['ray_start_seconds']:.1f} | {b['first_ready_seconds']:.1f} | {per_episode:.1f} |"
        )
    w = record["writer"]
    lines += [
        "",
        "| writer (MiniLM embedder) | episodes/s | ms per episode |",
        "|---|---:|---:|",
    ]
    for per_commit in (1, 16):
        f = w[f"per_commit_{per_commit}"]
        lines.append(
            f"| {per_commit} episode(s) per commit | {f['episodes_per_second']} "
            f"| {f['ms_per_episode']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
