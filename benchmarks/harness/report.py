"""Summaries, tables and plots of benchmark records."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ModeSummary:
    """The HumanEval figures of one mode (or one sweep point)."""

    mode: str
    problems: int
    passed: int
    pass_at_1: float
    tokens_per_s: float  # mean over problems of output tokens / wall seconds
    decoded_tokens_per_s: float  # the same for every token decoded (all beams, all cycles)
    seconds_per_problem: float
    timeouts: int
    stop_reasons: dict[str, int]
    failures: dict[str, int]  # failure kind (exception name, or "timeout") -> problems

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def pass_at_1(passed: Sequence[bool]) -> float:
    """pass@1 with one sample per problem: the share of problems solved (0.0 for none)."""
    return sum(passed) / len(passed) if passed else 0.0


def _rate(tokens: float, seconds: float) -> float:
    return tokens / seconds if seconds > 0 else 0.0


def summarise_mode(mode: str, records: Sequence[Mapping[str, Any]]) -> ModeSummary:
    """Summarise HumanEval records (``passed``, ``execution`` and ``completion`` per problem)."""
    completions = [r["completion"] for r in records]
    seconds = [float(c["seconds"]) for c in completions]
    return ModeSummary(
        mode=mode,
        problems=len(records),
        passed=sum(bool(r["passed"]) for r in records),
        pass_at_1=pass_at_1([bool(r["passed"]) for r in records]),
        tokens_per_s=_mean([_rate(c["output_tokens"], c["seconds"]) for c in completions]),
        decoded_tokens_per_s=_mean([_rate(c["decoded_tokens"], c["seconds"]) for c in completions]),
        seconds_per_problem=_mean(seconds),
        timeouts=sum(r["execution"]["status"] == "timeout" for r in records),
        stop_reasons=dict(Counter(c["stop_reason"] for c in completions)),
        failures=dict(Counter(failure_kind(r["execution"]) for r in records if not r["passed"])),
    )


def failure_kind(execution: Mapping[str, Any]) -> str:
    """What a failed run died of: the exception name on its last error line, or ``timeout``."""
    if execution["status"] == "timeout":
        return "timeout"
    lines = str(execution.get("error_tail", "")).strip().splitlines()
    last = lines[-1] if lines else ""
    name = last.split(":", 1)[0].strip()
    return name if name.isidentifier() else "other"


def failures_table(summaries: Sequence[ModeSummary], *, first: str = "mode") -> str:
    """How the failed problems failed, per mode: wrong answers, broken code, timeouts."""
    return markdown_table(
        [first, "wrong answer (AssertionError)", "syntax/indentation", "other exception",
         "timeout", "stopped at max tokens"],
        [
            (
                s.mode,
                s.failures.get("AssertionError", 0),
                s.failures.get("SyntaxError", 0) + s.failures.get("IndentationError", 0),
                sum(
                    count for kind, count in s.failures.items()
                    if kind not in ("AssertionError", "SyntaxError", "IndentationError", "timeout")
                ),
                s.failures.get("timeout", 0),
                s.stop_reasons.get("max_tokens", 0),
            )
            for s in summaries
        ],
    )


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def slim(record: Mapping[str, Any], *, drop: Sequence[str] = ("branch_points",)) -> dict[str, Any]:
    """A record for the results file: the completion's bulky analysis fields left to the cache."""
    completion = dict(record["completion"])
    completion["extra"] = {k: v for k, v in completion.get("extra", {}).items() if k not in drop}
    return {**record, "completion": completion}


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def modes_table(summaries: Sequence[ModeSummary], *, first: str = "mode") -> str:
    """The HumanEval table: pass@1, tokens/s and seconds per problem for each mode."""
    return markdown_table(
        [first, "problems", "passed", "pass@1", "tokens/s", "decoded tokens/s", "s/problem"],
        [
            (
                s.mode,
                s.problems,
                s.passed,
                f"{100 * s.pass_at_1:.1f}%",
                f"{s.tokens_per_s:.1f}",
                f"{s.decoded_tokens_per_s:.1f}",
                f"{s.seconds_per_problem:.1f}",
            )
            for s in summaries
        ],
    )


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` as indented JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def write_text(path: Path, text: str) -> None:
    """Write ``text``, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _percent_top(summaries: Sequence[ModeSummary]) -> float:
    """A pass@1 axis from 0 that still shows a scale when every mode scored 0."""
    return max(10.0, 120 * max((s.pass_at_1 for s in summaries), default=0.0))


def plot_modes(path: Path, summaries: Sequence[ModeSummary], *, title: str) -> None:
    """A PNG with two bar charts side by side: pass@1 and seconds per problem, per mode
    (each bar labelled with the problems it covers)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f"{s.mode}\n(n={s.problems})" for s in summaries]
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.bar(names, [100 * s.pass_at_1 for s in summaries], color="#4c72b0")
    left.set_ylim(0, _percent_top(summaries))
    left.set_ylabel("pass@1 (%)")
    left.set_title("pass@1")
    right.bar(names, [s.seconds_per_problem for s in summaries], color="#dd8452")
    right.set_ylabel("seconds / problem")
    right.set_title("time")
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_sweep(path: Path, summaries: Sequence[ModeSummary], *, title: str) -> None:
    """A PNG of pass@1 and seconds per problem against the entropy threshold (one point each)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [s.mode for s in summaries]
    positions = list(range(len(labels)))
    figure, left = plt.subplots(figsize=(6.5, 3.8))
    left.plot(positions, [100 * s.pass_at_1 for s in summaries], "o-", color="#4c72b0")
    left.set_ylim(0, _percent_top(summaries))
    left.set_ylabel("pass@1 (%)", color="#4c72b0")
    left.set_xlabel("entropy threshold")
    left.set_xticks(positions, labels)
    right = left.twinx()
    right.plot(positions, [s.seconds_per_problem for s in summaries], "s--", color="#dd8452")
    right.set_ylabel("seconds / problem", color="#dd8452")
    figure.suptitle(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
