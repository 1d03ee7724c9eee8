"""Episodes for tests: realistic shapes with only the fields a test cares about set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from analysis.findings import Finding, Severity
from memory.episode import Attempt, Episode, Outcome, ReviewStatus

BASE_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

INSECURE_FINDING = Finding(
    line=2,
    col=4,
    tool="security",
    rule="SC001",
    severity=Severity.ERROR,
    message="eval() runs arbitrary code",
)
STYLE_FINDING = Finding(
    line=1, col=0, tool="ruff", rule="E501", severity=Severity.WARNING, message="line too long"
)


def make_episode(
    episode_id: str,
    task: str = "Write a function that adds two numbers.",
    final_code: str = "def add(a: int, b: int) -> int:\n    return a + b\n",
    *,
    attempts: tuple[Attempt, ...] | None = None,
    outcome: Outcome = Outcome.CLEAN,
    review_status: ReviewStatus = ReviewStatus.PENDING,
    minutes: int = 0,
    **overrides: Any,
) -> Episode:
    """An episode whose last attempt is ``final_code`` (clean unless ``attempts`` says otherwise)."""
    if attempts is None:
        attempts = (
            Attempt(
                cycle=1,
                code=final_code,
                findings=(STYLE_FINDING,),
                completeness=1.0,
                decoding_stats={"tokens": 42, "tokens_per_s": 21.5},
                sabs_stats={"pruned": 0},
            ),
        )
    fields: dict[str, Any] = {
        "id": episode_id,
        "created_at": BASE_TIME + timedelta(minutes=minutes),
        "task": task,
        "prompt": f'def solution():\n    """{task}"""\n',
        "stub": None,
        "final_code": final_code,
        "attempts": attempts,
        "outcome": outcome,
        "model_name": "gemma-3-270m-q4_k_m.gguf",
        "model_sha256": "0123456789ab",
        "config_hash": "cfg-1",
        "review_status": review_status,
    }
    fields.update(overrides)
    return Episode(**fields)


def two_cycle_episode(episode_id: str, **overrides: Any) -> Episode:
    """A run whose first attempt had an ERROR finding and whose second was clean."""
    bad = "def evaluate(expr: str) -> int:\n    return eval(expr)\n"
    good = overrides.pop(
        "final_code",
        "import ast\n\ndef evaluate(expr: str) -> int:\n    return ast.literal_eval(expr)\n",
    )
    attempts = (
        Attempt(cycle=1, code=bad, findings=(INSECURE_FINDING,), feedback="line 2: avoid eval"),
        Attempt(cycle=2, code=good, findings=(), completeness=1.0),
    )
    overrides.setdefault("task", "Write a function that evaluates an arithmetic literal.")
    return make_episode(episode_id, final_code=good, attempts=attempts, **overrides)


def checked_attempt(
    cycle: int, code: str, *, passed: bool | None = None, findings: tuple[Finding, ...] = ()
) -> Attempt:
    """An attempt with what the sandbox said of it: every example passed (True), one failed
    (False), or none ran (None)."""
    verification: dict[str, Any] = {}
    if passed is not None:
        outcome = "passed" if passed else "failed"
        verification = {
            "passed": passed,
            "checks": [{"label": "add(1, 2) == 3", "origin": "example", "outcome": outcome}],
        }
    return Attempt(cycle=cycle, code=code, findings=findings, verification=verification)


def long_line_code(width: int = 150) -> str:
    """A function whose second line is exactly ``width`` (at least 120) characters long: a call
    cut at 80 columns in the middle of ``capture_output``, then a comment ending ``END``."""
    call = (
        "    return subprocess.run([sys.executable, '-c', code], check=False, text=True, "
        "capture_output=True)  # "
    )
    line = call + "the rest of this line " * ((width - 4 - len(call)) // 22)
    line = line.ljust(width - 4, ".") + " END"
    return f"def run(code: str) -> object:\n{line}\n"
