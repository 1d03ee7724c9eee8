"""The service's costs and guarantees: overhead, concurrency, and a kill -9 mid-run.

``python -m benchmarks.serve [--tasks 3] [--clients 16] [--max-tokens 24]`` starts
``main.py serve`` on loopback (a throw-away data folder; past episodes not
retrieved, so every prompt is the same on both sides) and measures:

1. **overhead**: each task as a ``supercoder-greedy`` request through the
   server (the real ``openai`` client) beside the same run in this process (the
   same settings, ``orchestrator.serve_commands.LoopEngine``: the loop the CLI
   runs), taking turns after one unmeasured run each, so a change in the
   machine's load hits both; the ratio of the summed wall times (target: at
   most 1.05), what the service adds around each run (the request's wall time
   less the run and its queue wait, as the server timed them), and whether both
   wrote the same code (greedy decoding is deterministic);
2. **concurrency**: ``--clients`` clients at once, each one short greedy
   request under its own ``user``: errors, episodes lost (a run id with no
   episode in the store), p50/p95 of the latency and of the queue wait;
3. **kill -9**: a two-cycle request killed (SIGKILL) once its second cycle
   starts; the server restarted on the same data: the store still reads (every
   episode of parts 1 and 2), the run is listed resumable, and ``main.py resume``
   finishes it into an episode.

It prints a summary and writes ``benchmarks/results/serve.json``. Two models
are loaded (the server's and this process's), but only one decodes at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.machine import cpu_model, load_average

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "serve.json"
CONFIG = (
    "memory:\n  embedder: hash\n  retrieve_k: 0\n"
    "verify:\n  samples: 0\n  model_tests: 0\n  prose_examples: false\n"
)
#: Short tasks: a stub with its docstring, so the model writes only a short body.
STUBS = (
    ("larger", 'def larger(a: int, b: int) -> int:\n    """Return the larger of a and b."""\n'),
    ("is_even", 'def is_even(n: int) -> bool:\n    """Return True when n is even."""\n'),
    ("last", 'def last(items: list[int]) -> int:\n    """Return the last item of items."""\n'),
    ("double", 'def double(x: int) -> int:\n    """Return twice x."""\n'),
)
#: A stub no cycle can make clean (its first line is a type error): the run reaches cycle 2.
NEVER_CLEAN = 'LIMIT: int = "ten"\n\n\n' + STUBS[0][1]
_SERVING = re.compile(r"serving on (http://\S+)")


def message(stub: str) -> str:
    """The chat message of a task: the stub in a Python code block."""
    return f"Complete the function\n```python\n{stub}```"


def main_command(*args: str) -> list[str]:
    """``main.py ARGS`` with this interpreter."""
    return [sys.executable, str(ROOT / "main.py"), *args]


@contextmanager
def server(data: Path, config: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``main.py serve`` on a free loopback port, once its model is loaded: (url, process)."""
    environment = {**os.environ, "SUPERCODER_DATA_DIR": str(data)}
    process = subprocess.Popen(
        main_command("serve", "--port", "0", "--config", str(config), *extra),
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        url = ""
        for line in process.stderr:
            if found := _SERVING.search(line):
                url = found[1]
                break
        if not url:
            raise RuntimeError(f"the server did not start (exit {process.wait()})")
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep the pipe drained
        while not httpx.get(f"{url}/health", timeout=10).json()["model_loaded"]:
            time.sleep(0.5)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def ask(url: str, stub: str, *, model: str, max_tokens: int, user: str = "bench") -> dict[str, Any]:
    """One request through the ``openai`` client: wall time, code, run id, queue wait."""
    import openai

    with openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, timeout=1800) as client:
        started = time.perf_counter()
        completion = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": message(stub)}],
            max_tokens=max_tokens,
            user=user,
        )
        seconds = time.perf_counter() - started
    extra = (completion.model_extra or {})["supercoder"]
    content = completion.choices[0].message.content or ""
    return {
        "seconds": seconds,
        "code": content.removeprefix("```python\n").removesuffix("```"),
        "run_id": extra["run_id"],
        "run_seconds": extra["seconds"],
        "queue_seconds": extra["queue_seconds"],
    }


def overhead(url: str, config: Path, tasks: int, max_tokens: int) -> dict[str, Any]:
    """Part 1: greedy requests through the server beside the same runs in this process."""
    from rich.console import Console

    from config.loader import load_settings
    from orchestrator.command import CommandContext
    from orchestrator.serve_commands import LoopRunner
    from serve.modes import run_settings
    from serve.runner import RunRequest

    settings = load_settings(config)
    greedy = run_settings(settings, "greedy", max_tokens=max_tokens)
    rows: list[dict[str, Any]] = []

    class Quiet:
        def progress(self, text: str) -> None:
            del text

        def note(self, text: str) -> None:
            del text

    with tempfile.TemporaryDirectory(prefix="bench-serve-inproc-") as folder:
        ctx = CommandContext(
            settings=settings,
            console=Console(quiet=True),
            json_output=False,
            quiet=True,
            data_dir=Path(folder),
        )
        with LoopRunner(ctx).open() as engine:

            def in_process(stub: str) -> tuple[float, str]:
                request = RunRequest("Complete the function", stub, None, greedy, "greedy")
                started = time.perf_counter()
                outcome = engine.run(request, Quiet())
                return time.perf_counter() - started, outcome.code

            # one unmeasured run each: the first run of a process pays for cold caches
            in_process(STUBS[-1][1])
            ask(url, STUBS[-1][1], model="supercoder-greedy", max_tokens=max_tokens)
            for index in range(tasks):
                name, stub = STUBS[index % len(STUBS)]
                times: dict[str, float] = {}
                codes: dict[str, str] = {}
                inside = 0.0
                for side in (("server", "in_process") if index % 2 else ("in_process", "server")):
                    if side == "server":
                        answer = ask(url, stub, model="supercoder-greedy", max_tokens=max_tokens)
                        times[side], codes[side] = answer["seconds"], answer["code"]
                        inside = answer["run_seconds"] + answer["queue_seconds"]
                    else:
                        times[side], codes[side] = in_process(stub)
                rows.append(
                    {
                        "task": name,
                        "server_s": round(times["server"], 3),
                        "in_process_s": round(times["in_process"], 3),
                        # what the service adds around the run: HTTP, JSON, the queue's hand-off
                        "service_s": round(times["server"] - inside, 3),
                        "same_code": codes["server"].rstrip() == codes["in_process"].rstrip(),
                    }
                )
    server_total = sum(r["server_s"] for r in rows)
    local_total = sum(r["in_process_s"] for r in rows)
    service_total = sum(r["service_s"] for r in rows)
    return {
        "rows": rows,
        "service_overhead_s": round(service_total, 3),
        "server_over_its_own_run": round(server_total / (server_total - service_total), 4),
        "server_s": round(server_total, 3),
        "in_process_s": round(local_total, 3),
        "ratio": round(server_total / local_total, 4),
        "target": 1.05,
    }


def concurrency(url: str, data: Path, clients: int, max_tokens: int) -> dict[str, Any]:
    """Part 2: ``clients`` requests at once."""
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        _, stub = STUBS[index % len(STUBS)]
        start.wait()
        try:
            answer = ask(url, stub, model="supercoder-greedy", max_tokens=max_tokens, user=f"c{index}")
        except Exception as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
            return
        with lock:
            results.append(answer)

    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    stored = stored_ids(data)
    lost = [r["run_id"] for r in results if r["run_id"] not in stored]
    latency = [r["seconds"] for r in results]
    waits = [r["queue_seconds"] for r in results]
    return {
        "clients": clients,
        "answers": len(results),
        "errors": errors,
        "lost_episodes": lost,
        "wall_s": round(wall, 2),
        "latency_p50_s": round(percentile(latency, 50), 2),
        "latency_p95_s": round(percentile(latency, 95), 2),
        "queue_wait_p50_s": round(percentile(waits, 50), 2),
        "queue_wait_p95_s": round(percentile(waits, 95), 2),
        "run_s_mean": round(statistics.fmean(r["run_seconds"] for r in results), 2) if results else 0,
        "run_ids": [r["run_id"] for r in results],
    }


def kill_and_resume(data: Path, config: Path, max_tokens: int, known: Sequence[str]) -> dict[str, Any]:
    """Part 3: SIGKILL mid-run, restart, read the store, resume the run."""
    from orchestrator.runs import list_runs, open_checkpointer

    body = {
        "model": "supercoder",
        "max_tokens": max_tokens,
        "stream": True,
        "messages": [{"role": "user", "content": message(NEVER_CLEAN)}],
    }
    run_id = ""
    with server(data, config, "--max-cycles", "2") as (url, process):
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=1800) as reply:
            for line in reply.iter_lines():
                if line.startswith(": run ") and not run_id:
                    run_id = line.split()[2].rstrip(":")
                if line.startswith(": cycle 2/2 generate"):
                    process.kill()  # SIGKILL: no handler runs, nothing is flushed
                    break
        process.wait()
        killed_with = process.returncode
    with server(data, config) as (url, _):
        readable = stored_ids(data)
        health = httpx.get(f"{url}/health", timeout=10).json()
    with open_checkpointer(data) as saver:
        listed = {r.run_id: r for r in list_runs(saver)}
    before = listed.get(run_id)
    resumed = subprocess.run(
        main_command("resume", run_id, "--yes", "--json"),
        cwd=ROOT,
        env={**os.environ, "SUPERCODER_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    document = json.loads(resumed.stdout) if resumed.stdout.strip().startswith("{") else {}
    after = stored_ids(data)
    return {
        "run_id": run_id,
        "killed_with_signal": -killed_with if killed_with < 0 else killed_with,
        "store_readable_after_restart": all(i in readable for i in known),
        "episodes_after_restart": len(readable),
        "health_after_restart": health,
        "listed_after_restart": None if before is None else {"status": before.status, "cycles": before.cycles},
        "resume_exit_code": resumed.returncode,
        "resumed_status": document.get("status"),
        "resumed_cycles": document.get("cycles"),
        "episode_after_resume": run_id in after,
        "resume_stderr_tail": resumed.stderr.strip().splitlines()[-3:],
    }


def stored_ids(data: Path) -> set[str]:
    """Every episode id in the store of ``data`` (read with a fresh handle)."""
    from memory.embedding import make_embedder
    from memory.store import EpisodeStore

    store = EpisodeStore.open(data / "memory", make_embedder("hash"))
    return {episode.id for episode in store.list()}


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three parts, print the summary, write the JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=4, help="tasks of the overhead comparison")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--max-tokens", type=int, default=24, help="tokens per request")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"cpu": cpu_model(), "load_before": load_average()}
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as folder:
        data = Path(folder) / "data"
        config = Path(folder) / "bench.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        with server(data, config) as (url, _):
            report["overhead"] = overhead(url, config, args.tasks, args.max_tokens)
            print_part("overhead", report["overhead"])
            report["concurrency"] = concurrency(url, data, args.clients, args.max_tokens)
            print_part("concurrency", {k: v for k, v in report["concurrency"].items() if k != "run_ids"})
        known = report["concurrency"]["run_ids"]
        report["kill"] = kill_and_resume(data, config, args.max_tokens, known)
        print_part("kill -9", report["kill"])
    report["load_after"] = load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def print_part(name: str, part: dict[str, Any]) -> None:
    print(f"== {name}")
    for key, value in part.items():
        print(f"  {key}: {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
