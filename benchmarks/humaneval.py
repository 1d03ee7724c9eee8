"""HumanEval pass@1 in five modes: greedy, entropy-gated beams, beams + SABS, the full
loop, and the loop's same-budget baseline (independent samples, one picked unrun).

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
from collections import Counter
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
    parse_modes,
    relevant_settings,
)
from benchmarks.harness.report import (
    ModeSummary,
    failures_table,
    markdown_table,
    modes_table,
    plot_modes,
    plot_sweep,
    slim,
    summarise_mode,
    write_json,
    write_text,
)
from benchmarks.harness.runner import common_items, progress_bar, run_cached
from benchmarks.harness.sandbox import Limits, check_program, run_program
from config.errors import UserError
from decoding.model_file import ModelFile, resolve_model

RESULTS = Path(__file__).parent / "results"
CACHE = RESULTS / "cache"
HARNESS_VERSION = 2  # bump when the harness's prompts or scoring change (product code is fingerprinted)

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
    for codes, verdicts in (("cycle_codes", "cycle_passed"), ("sample_codes", "sample_passed")):
        if codes in completion.extra:
            record[verdicts] = [
                evaluate(code, problem, limits)["status"] == "passed"
                for code in completion.extra[codes]
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
    budget_tokens: int = 0,
    cached_only: bool = False,
) -> list[dict[str, Any]]:
    """Every problem's record for ``run``, from the cache where possible.

    ``budget_tokens`` is the samples mode's spend per problem (part of its cache key).
    """
    settings = benchmark_settings(
        run.mode,
        config_file=config_file,
        model=str(model_file.path),
        max_tokens=max_tokens,
        entropy_threshold=run.threshold,
    )
    keyed: dict[str, Any] = {
        "harness": HARNESS_VERSION,
        "code": code_fingerprint(),
        "settings": relevant_settings(run.mode, settings),
        "timeout_s": limits.timeout_s,
    }
    if run.mode == "samples":
        keyed["budget_tokens"] = budget_tokens
    key = settings_hash(keyed)
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
        open_worker=lambda: open_completer(
            run.mode, settings, model_file, budget_tokens=budget_tokens
        ),
        work=lambda completer, p: solve(completer, p, mode=run.mode, limits=limits),
        progress=progress,
        label=run.label,
        cached_only=cached_only,
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


def loop_cycles(records: Sequence[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """Where the loop's cycles went: a table per cycle step, and the facts behind it.

    For each step from cycle k to k + 1, among the runs that went on: how many
    answers changed, became correct, became wrong. Then the runs still wrong
    at the end: how many the static tests passed at once (the loop never
    looked again), and what the model's review said of the others.
    """
    rows: list[tuple[object, ...]] = []
    steps: list[dict[str, Any]] = []
    longest = max((len(r.get("cycle_passed", [])) for r in records), default=0)
    for k in range(1, longest):
        went_on = [r for r in records if len(r.get("cycle_passed", [])) > k]
        codes = [r["completion"]["extra"]["cycle_codes"] for r in went_on]
        passed = [r["cycle_passed"] for r in went_on]
        step = {
            "step": f"{k} -> {k + 1}",
            "went_on": len(went_on),
            "changed": sum(c[k] != c[k - 1] for c in codes),
            "became_correct": sum(p[k] and not p[k - 1] for p in passed),
            "became_wrong": sum(p[k - 1] and not p[k] for p in passed),
        }
        steps.append(step)
        rows.append(tuple(step.values()))
    wrong = [r for r in records if not r["passed"]]
    clean_at_once = [r for r in wrong if r["completion"]["extra"].get("cycles") == 1
                     and r["completion"]["extra"].get("status") == "clean"]
    verdicts: Counter[str] = Counter()
    reviews: list[dict[str, Any]] = []
    for r in wrong:
        extra = r["completion"]["extra"]
        verdicts.update(v or "none" for v in extra.get("review_verdicts", []))
        if extra.get("feedback"):
            reviews.append({"problem": r["problem"], "verdicts": extra.get("review_verdicts", []),
                            "rules": extra.get("cycle_rules", []), "feedback": extra["feedback"]})
    facts = {"steps": steps, "wrong": len(wrong), "wrong_clean_at_once": len(clean_at_once),
             "wrong_review_verdicts": dict(verdicts), "wrong_reviews": reviews}
    table = markdown_table(
        ["cycle step", "runs that went on", "answer changed", "became correct", "became wrong"],
        rows,
    ) if rows else "(no run went past cycle 1)\n"
    table += (
        f"\nwrong at the end: {len(wrong)}; of these the static tests passed "
        f"{len(clean_at_once)} in cycle 1 (never revised); review verdicts on the rest: "
        f"{dict(verdicts)}\n"
    )
    return table, facts


def verify_notes(records: Sequence[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """What running the prompt's own examples did for the loop.

    How the product's verdict (every example of the prompt passed) agrees with
    the hidden tests; how often a cycle drew samples and a sample was kept; and
    the share of repair cycles (cycle 2 on) whose code equals an earlier cycle's.
    """
    with_checks = [r for r in records if r["completion"]["extra"].get("checks")]
    agree: Counter[tuple[bool, bool]] = Counter()
    for r in with_checks:
        own = [c for c in r["completion"]["extra"]["checks"] if c.get("origin") != "model"]
        if own:
            agree[(all(c["outcome"] == "passed" for c in own), bool(r["passed"]))] += 1
    repairs = repeated = 0
    for r in records:
        codes = [c.strip() for c in r["completion"]["extra"].get("cycle_codes", [])]
        for k in range(1, len(codes)):
            repairs += 1
            repeated += codes[k] in codes[:k]
    sampled = sum(any(n > 1 for n in r["completion"]["extra"].get("cycle_candidates", []))
                  for r in records)
    kept_sample = sum("sample" in r["completion"]["extra"].get("cycle_origin", [])
                      for r in records)
    seconds = [sum(r["completion"]["extra"].get("verify_seconds", [])) for r in records]
    facts = {
        "problems_with_examples": sum(agree.values()),
        "examples_passed_and_tests_passed": agree[(True, True)],
        "examples_passed_tests_failed": agree[(True, False)],
        "examples_failed_tests_passed": agree[(False, True)],
        "examples_failed_tests_failed": agree[(False, False)],
        "runs_that_sampled": sampled,
        "runs_that_kept_a_sample": kept_sample,
        "repair_cycles": repairs,
        "repair_cycles_repeating_code": repeated,
        "mean_sandbox_seconds": sum(seconds) / len(seconds) if seconds else 0.0,
    }
    text = (
        f"\nverification: {facts['problems_with_examples']} problems had examples in the prompt; "
        f"the returned code passed them and the hidden tests on {agree[(True, True)]}, passed "
        f"them but failed the tests on {agree[(True, False)]}, failed them but passed the tests "
        f"on {agree[(False, True)]}, failed both on {agree[(False, False)]}; "
        f"{sampled} runs drew samples, {kept_sample} kept one; repair cycles returning an "
        f"earlier cycle's code: {repeated}/{repairs}; sandbox "
        f"{facts['mean_sandbox_seconds']:.2f} s/problem\n"
    )
    return text, facts


def budget_of(loop_records: Sequence[dict[str, Any]]) -> int:
    """The samples mode's budget: the loop's mean decoded tokens per problem."""
    tokens = [int(r["completion"]["decoded_tokens"]) for r in loop_records]
    if not tokens:
        raise UserError("the samples mode needs the loop's records for its budget (or --budget)")
    return round(sum(tokens) / len(tokens))


def samples_notes(records: Sequence[dict[str, Any]], budget: int) -> str:
    """The samples mode: draws per problem, and how often the pick missed a passing draw."""
    if not records:
        return ""
    draws = [int(r["completion"]["extra"]["samples"]) for r in records]
    spent = [int(r["completion"]["decoded_tokens"]) for r in records]
    any_passed = sum(any(r.get("sample_passed", [])) for r in records)
    picked_greedy = sum(r["completion"]["extra"]["chosen"] == 0 for r in records)
    return (
        f"\nsamples: budget {budget} tokens/problem (the loop's mean); mean draws "
        f"{sum(draws) / len(draws):.2f}; mean tokens spent {sum(spent) / len(spent):.0f}; "
        f"picked the greedy draw {picked_greedy}/{len(records)}; a passing draw existed "
        f"{any_passed}/{len(records)} (picked {sum(bool(r['passed']) for r in records)})\n"
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
    parser.add_argument("--mode", default="all",
                        help=f"all, or some of {','.join(MODES)} (comma-separated)")
    parser.add_argument("--limit", type=int, help="the first N problems (default: all 164)")
    parser.add_argument("--model", default="default", help='GGUF file, or "default"')
    parser.add_argument("--config", type=Path, help="YAML settings over the shipped ones")
    parser.add_argument("--max-tokens", type=int, help="tokens per completion (default: settings)")
    parser.add_argument("--sweep", help='entropy thresholds for the beams mode, e.g. "0.5,1,2,auto"')
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per test run")
    parser.add_argument("--cached-only", action="store_true",
                        help="compute nothing: report the problems already finished")
    parser.add_argument("--budget", type=int,
                        help="tokens per problem for the samples mode (default: the loop's mean)")
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
    if args.sweep:
        runs = [Run(f"beams@{t}", "beams", t) for t in parse_sweep(args.sweep)]
        name, first = "threshold_sweep", "threshold"
    else:
        chosen = set(MODES if args.mode == "all" else parse_modes(args.mode, MODES, flag="--mode"))
        if "samples" in chosen and args.budget is None:
            chosen.add("loop")  # the samples' budget is the loop's (cached) spend
        runs = [Run(mode, mode) for mode in MODES if mode in chosen]  # the loop before samples
        name, first = "humaneval", "mode"
    model_file = resolve_model(args.model)
    problems = humaneval_problems(args.limit)
    limits = Limits(timeout_s=args.timeout)
    records: dict[str, list[dict[str, Any]]] = {}
    budget = args.budget or 0
    with progress_bar(quiet=args.quiet) as progress:
        for run in runs:
            if run.mode == "samples" and not budget:
                if args.cached_only and not records.get("loop"):
                    continue  # no loop records yet, so no budget to look the samples up by
                budget = budget_of(records.get("loop", []))
            records[run.label] = run_one(
                run,
                problems,
                model_file=model_file,
                max_tokens=args.max_tokens,
                limits=limits,
                cache_root=args.cache,
                progress=progress,
                config_file=args.config,
                budget_tokens=budget,
                cached_only=args.cached_only,
            )
    runs = [run for run in runs if records.get(run.label)]
    records = {run.label: records[run.label] for run in runs}
    if not runs:
        raise UserError("no finished problems to report")
    if args.cached_only:
        records = common_items(records, "problem")
    summaries = [
        summarise_mode(str(run.threshold) if args.sweep else run.label, records[run.label])
        for run in runs
    ]
    which = "all" if args.limit is None else "first"
    title = f"HumanEval, {which} {len(problems)} problems, {model_file.name}"
    if args.cached_only:
        title += " (only the problems every mode has finished)"
    table = modes_table(summaries, first=first) + "\n" + failures_table(summaries, first=first)
    extra_analysis: dict[str, Any] = {}
    if "loop" in records:
        loop = next(s for s in summaries if s.mode == "loop")
        cycles_table, extra_analysis["loop_cycles"] = loop_cycles(records["loop"])
        verify_table, extra_analysis["verification"] = verify_notes(records["loop"])
        table += loop_notes(loop, records["loop"]) + "\n" + cycles_table + verify_table
    if "samples" in records:
        table += samples_notes(records["samples"], budget)
    reference = "greedy" if "greedy" in records else next(iter(records))
    comparison, analysis = compare_modes(records, reference=reference, key="problem",
                                         outcome="passed")
    table += "\n" + comparison
    out: Path = args.out
    write_json(out / f"{name}.json", {
        **document(summaries, records, model_file=model_file, max_tokens=args.max_tokens,
                   limits=limits),
        "config": str(args.config) if args.config else None,
        "analysis": {**analysis, **extra_analysis},
    })
    write_text(out / f"{name}.md", f"{title}\n\n{table}")
    (plot_sweep if args.sweep else plot_modes)(out / f"{name}.png", summaries, title=title)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
