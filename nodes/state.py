"""The typed state of one run, as LangGraph checkpoints it.

Every value is plain data (str, int, float, bool, list, dict), so a run's
checkpoints deserialise in strict mode and resume on any machine.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict

Status = Literal["running", "clean", "limit", "refused", "stopped", "error"]
Origin = Literal["search", "sample"]
More = Literal["", "tests", "samples"]


class Generated(TypedDict):
    """What a generation produced: the keys a candidate and the attempt chosen from it share."""

    cycle: int  # 1-based cycle number
    prompt: str  # the exact text given to the model
    code: str  # the full code: prompt's code prefix + generated completion
    stop_reason: str  # eos | stop | max_tokens | no_safe_beam
    decoding_stats: dict[str, Any]  # the search's statistics (tokens, branches, tokens/s, ...)
    sabs_stats: dict[str, Any]  # SABS statistics ({} when SABS is off)


class Judged(TypedDict):
    """What the static tests said of a piece of code."""

    findings: list[dict[str, Any]]  # analysis.findings.Finding.to_dict() values, sorted
    completeness: float  # the completeness checker's confidence in [0, 1]
    clean: bool  # no finding at ERROR or above and completeness above the threshold
    tool_seconds: dict[str, float]  # wall time per static tool


class Candidate(Generated):
    """One answer of the current cycle: a finished beam of the search or a sample.

    ``judged`` is set by static_test, ``verdict`` by verify (``None``: not run).
    """

    origin: Origin
    score: float  # the decoder's score: length-normalised log-likelihood minus security penalty
    seconds: float  # wall time of the generation that produced it (shared by its siblings)
    judged: Judged | None
    verdict: dict[str, Any] | None  # verify.sandbox.RunVerdict.to_dict() over the run's suite
    verified_checks: int  # how many checks of the suite the verdict covers
    verify_seconds: float  # wall time of its sandbox runs


class Attempt(Generated, Judged):
    """One judged cycle: the candidate it chose, what the static tests and the sandbox said.

    ``memory.episode.Attempt`` is the stored form: the same cycle, code,
    findings, completeness, checks and statistics, plus the feedback derived from it.
    """

    generate_seconds: float
    passed: bool | None  # every example and test of the task and the user passed (None: none)
    checks: list[dict[str, Any]]  # each check's result, the model's tests too (nodes.ranking)
    accepted: bool  # the run may stop here: clean, no check failed, no test call raised
    candidates: int  # how many candidates the cycle judged
    origin: Origin  # where the chosen candidate came from
    repeated: bool  # its code equals an earlier attempt's (the cycle could find nothing new)
    verify_seconds: float  # wall time in the sandbox this cycle


class RunState(TypedDict):
    """The whole state of a run; ``attempts`` only ever grows."""

    run_id: str  # also the episode id
    task: str  # the user's request
    stub: str | None  # the user's stub (imports + signature + docstring), if any
    max_cycles: int  # the cycle bound this run started with
    settings: dict[str, Any]  # Settings.model_dump(mode="json") at the start; resume uses them
    review_when_clean: bool  # whether code the static tests passed is reviewed (cycles.*)
    suite: dict[str, Any]  # verify.checks.Suite.to_dict(): the examples, tests and model tests
    candidates: list[Candidate]  # the current cycle's answers, until one becomes its attempt
    more: More  # what verify asked for before the cycle can end ("": nothing)
    sampled_cycle: int  # the last cycle that drew samples (0: none)
    tests_written: bool  # the model was asked for its tests (at most once per run)
    attempts: Annotated[list[Attempt], operator.add]  # judged cycles, oldest first
    feedback: str  # what the next generation must fix ("" in cycle 1)
    feedback_history: Annotated[list[str], operator.add]  # feedback derived from attempt i, at i
    reflect_seconds: Annotated[list[float], operator.add]  # wall time of each reflect step
    review: str  # defects the model's review found in the last attempt, one per line
    review_verdicts: Annotated[
        list[str], operator.add
    ]  # per reflect: defects | no_defects | unclear | ""
    status: Status  # running until the run ends
    episode_id: str | None  # set by the learn node once the episode is stored


def initial_state(
    run_id: str,
    task: str,
    stub: str | None,
    max_cycles: int,
    *,
    review_when_clean: bool = False,
    settings: Mapping[str, Any] | None = None,
    suite: Mapping[str, Any] | None = None,
) -> RunState:
    """The state a new run starts from; ``suite`` holds the user's own tests, if any."""
    return {
        "run_id": run_id,
        "task": task,
        "stub": stub,
        "max_cycles": max_cycles,
        "settings": dict(settings or {}),
        "review_when_clean": review_when_clean,
        "suite": dict(suite or {}),
        "candidates": [],
        "more": "",
        "sampled_cycle": 0,
        "tests_written": False,
        "attempts": [],
        "feedback": "",
        "feedback_history": [],
        "reflect_seconds": [],
        "review": "",
        "review_verdicts": [],
        "status": "running",
        "episode_id": None,
    }
