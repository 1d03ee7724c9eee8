"""HumanEval pass@1 in four modes: greedy, entropy-gated beams, beams + SABS, the full loop.

``python -m benchmarks.humaneval --mode all --limit 20`` completes the first
20 HumanEval problems in each mode on the same model and settings, runs every
completion against the problem's tests in a sandboxed subprocess (this
harness is the only place generated code is executed) and writes
``benchmarks/results/humaneval.{json,md,png}``. ``--sweep 0.5,1,2,3,auto``
instead measures pass@1 and time of the beams mode against the entropy
threshold (``threshold_sweep.{json,md,png}``). Finished problems are cached
under ``benchmarks/results/cache/`` so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rich.progress import Progress

from benchmarks.harness.analysis import compare_modes
from benchmarks.harness.cache import ResultCache, code_fingerprint, settings_hash
from benchmarks.harness.data import Problem, humaneval_problems
from benchmarks.harness.modes import (
    MODES,
    Completer,
    Mode,
    benchmark_settings,
    open_completer,
    relevant_settings,
)
from benchmarks.harness.report import (
    ModeSummary,
    failures_table,
    modes_table,
    plot_modes,
    plot_sweep,
    slim,
    summarise_mode,
    write_json,
    write_text,
)
from benchmarks.harness.runner import progress_bar, run_cached
from benchmarks.harness.sandbox import Limits, check_program, run_program
from config.errors import UserError
from decoding.model_file import ModelFile, resolve_model

RESULTS = Path(__file__).parent / "results"
CACHE = RESULTS / "cache"
HARNESS_VERSION = 1  # bump when the harness's prompts or scoring change (product code is fingerprinted)

log = logging.getLogger(__name__)

Threshold = float | Literal["auto"]


@dataclass(frozen=True)
class Run:
    """One column of results: a mode on settings, with its label."""

    label: str
    mode: Mode
    threshold: Threshold | None = None


def task_text(problem: Problem) -> str:
    """The request in words that the loop mode's prompt header carries."""
    return f"Complete the function `{problem.entry_point}` so that it does what its docstring says."


def evaluate(code: str, problem: Problem, limits: Limits) -> dict[str, Any]:
    """Run ``code`` against ``problem``'s tests in the sandbox."""
    return run_program(check_program(code, problem.test, problem.entry_point), limits).to_dict()


def solve(completer: Completer, problem: Problem, *, mode: Mode, limits: Limits) -> dict[str, Any]:
    """Complete ``problem`` and score it: the record the cache keeps."""
    completion = completer.complete(problem.prompt, task=task_text(problem))
    execution = evaluate(completion.code, problem, limits)
    record: dict[str, Any] = {
        "problem": problem.task_id,
        "mode": mode,
        "passed": execution["status"] == "passed",
        "execution": execution,
        "completion": completion.to_dict(),
    }
    if mode == "loop":
        codes = completion.extra.get("cycle_codes", [])
        record["cycle_passed"] = [
            evaluate(code, problem, limits)["status"] == "passed" for code in codes
        ]
    return record


def run_one(
    run: Run,
    problems: Sequence[Problem],
    *,
    model_file: ModelFile,
    max_tokens: int | None,
    limits: Limits,
    cache_root: Path,
    progress: Progress,
    config_file: Path | None = None,
) -> list[dict[str, Any]]:
    """Every problem's record for ``run``, from the cache where possible."""
    settings = benchmark_settings(
        run.mode,
        config_file=config_file,
        model=str(model_file.path),
        max_tokens=max_tokens,
        entropy_threshold=run.threshold,
    )
    key = settings_hash(
        {
            "harness": HARNESS_VERSION,
            "code": code_fingerprint(),
            "settings": relevant_settings(run.mode, settings),
            "timeout_s": limits.timeout_s,
        }
    )
    cache = ResultCache(
        cache_root,
        benchmark="humaneval",
        mode=run.mode,
        settings_key=key,
        model_sha=model_file.sha256_prefix,
    )
    return run_cached(
        problems,
        item_id=lambda p: p.task_id,
        cache=cache,
        open_worker=lambda: open_completer(run.mode, settings, model_file),
        work=lambda completer, p: solve(completer, p, mode=run.mode, limits=limits),
        progress=progress,
        label=run.label,
    )


def parse_sweep(text: str) -> list[Threshold]:
    """Parse ``0.5,1,2,auto`` into thresholds; raise ``UserError`` on anything else."""
    thresholds: list[Threshold] = []
    for part in text.split(","):
        item = part.strip()
        if item == "auto":
            thresholds.append("auto")
            continue
        try:
            value = float(item)
        except ValueError:
            value = -1.0
        if value < 0:
            raise UserError(f'--sweep: {item!r} is not a threshold; use numbers >= 0 or "auto"')
        thresholds.append(value)
    return thresholds


def loop_notes(summary: ModeSummary, records: Sequence[dict[str, Any]]) -> str:
    """Extra lines for the loop: pass@1 after each cycle and how many cycles ran."""
    if not records:
        return ""
    by_cycle: list[str] = []
    longest = max(len(r.get("cycle_passed", [])) for r in records)
    for cycle in range(longest):
        # A run that ended before this cycle keeps the verdict of its last cycle.
        solved = sum(bool(r["cycle_passed"][min(cycle, len(r["cycle_passed"]) - 1)])
                     for r in records if r.get("cycle_passed"))
        by_cycle.append(f"after cycle {cycle + 1}: {solved}/{summary.problems}")
    cycles = [int(r["completion"]["extra"].get("cycles", 0)) for r in records]
    statuses: dict[str, int] = {}
    for r in records:
        status = str(r["completion"]["extra"].get("status", "?"))
        statuses[status] = statuses.get(status, 0) + 1
    return (
        f"\nloop: solved {'; '.join(by_cycle)}; mean cycles {sum(cycles) / len(cycles):.2f}; "
        f"end status {statuses}\n"
    )


def document(
    summaries: Sequence[ModeSummary],
    records: dict[str, list[dict[str, Any]]],
    *,
    model_file: ModelFile,
    max_tokens: int | None,
    limits: Limits,
) -> dict[str, Any]:
    """The JSON document of one invocation."""
    return {
        "benchmark": "humaneval",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": model_file.name,
        "model_sha256_prefix": model_file.sha256_prefix,
        "max_tokens": max_tokens or benchmark_settings("greedy").decoding.max_tokens,
        "timeout_s": limits.timeout_s,
        "summaries": [s.to_dict() for s in summaries],
        "records": {label: [slim(r) for r in rs] for label, rs in records.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen modes (or the sweep), print the table, write json, markdown and plot."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.humaneval", description=__doc__)
    parser.add_argument("--mode", choices=["all", *MODES], default="all")
    parser.add_argument("--limit", type=int, help="the first N problems (default: all 164)")
    parser.add_argument("--model", default="default", help='GGUF file, or "default"')
    parser.add_argument("--config", type=Path, help="YAML settings over the shipped ones")
    parser.add_argument("--max-tokens", type=int, help="tokens per completion (default: settings)")
    parser.add_argument("--sweep", help='entropy thresholds for the beams mode, e.g. "0.5,1,2,auto"')
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per test run")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of finished problems")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # The sandbox forks right into exec; lancedb (loaded by the loop) warns about any fork.
    warnings.filterwarnings("ignore", message="lancedb fork support", category=RuntimeWarning)
    try:
        return _run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    model_file = resolve_model(args.model)
    problems = humaneval_problems(args.limit)
    limits = Limits(timeout_s=args.timeout)
    if args.sweep:
        runs = [Run(f"beams@{t}", "beams", t) for t in parse_sweep(args.sweep)]
        name, first = "threshold_sweep", "threshold"
    else:
        modes: Sequence[Mode] = MODES if args.mode == "all" else (args.mode,)
        runs = [Run(mode, mode) for mode in modes]
        name, first = "humaneval", "mode"
    records: dict[str, list[dict[str, Any]]] = {}
    with progress_bar(quiet=args.quiet) as progress:
        for run in runs:
            records[run.label] = run_one(
                run,
                problems,
                model_file=model_file,
                max_tokens=args.max_tokens,
                limits=limits,
                cache_root=args.cache,
                progress=progress,
                config_file=args.config,
            )
    summaries = [
        summarise_mode(str(run.threshold) if args.sweep else run.label, records[run.label])
        for run in runs
    ]
    which = "all" if args.limit is None else "first"
    title = f"HumanEval, {which} {len(problems)} problems, {model_file.name}"
    table = modes_table(summaries, first=first) + "\n" + failures_table(summaries, first=first)
    if "loop" in records:
        loop = next(s for s in summaries if s.mode == "loop")
        table += loop_notes(loop, records["loop"])
    reference = "greedy" if "greedy" in records else next(iter(records))
    comparison, analysis = compare_modes(records, reference=reference, key="problem",
                                         outcome="passed")
    table += "\n" + comparison
    out: Path = args.out
    write_json(out / f"{name}.json", {
        **document(summaries, records, model_file=model_file, max_tokens=args.max_tokens,
                   limits=limits),
        "config": str(args.config) if args.config else None,
        "analysis": analysis,
    })
    write_text(out / f"{name}.md", f"{title}\n\n{table}")
    (plot_sweep if args.sweep else plot_modes)(out / f"{name}.png", summaries, title=title)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
