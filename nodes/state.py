"""The typed state of one run, as LangGraph checkpoints it.

Every value is plain data (str, int, float, bool, list, dict), so a run's
checkpoints deserialise in strict mode and resume on any machine.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypedDict

Status = Literal["running", "clean", "limit", "no-safe-beam", "stopped", "error"]


class Generated(TypedDict):
    """What a generation produced: the keys a draft and the attempt judged from it share."""

    cycle: int  # 1-based cycle number
    prompt: str  # the exact text given to the model
    code: str  # the full code: prompt's code prefix + generated completion
    stop_reason: str  # eos | stop | max_tokens | no_safe_beam
    decoding_stats: dict[str, Any]  # the search's statistics (tokens, branches, tokens/s, ...)
    sabs_stats: dict[str, Any]  # SABS statistics ({} when SABS is off)


class Draft(Generated):
    """What the generate node produced in the current cycle, before it is judged."""

    seconds: float  # wall time of the generation


class Attempt(Generated):
    """One judged cycle: the draft plus everything the static tests said of it.

    ``memory.episode.Attempt`` is the stored form: the same cycle, code,
    findings, completeness and statistics, plus the feedback derived from it.
    """

    findings: list[dict[str, Any]]  # analysis.findings.Finding.to_dict() values, sorted
    completeness: float  # the completeness checker's confidence in [0, 1]
    clean: bool  # no finding at ERROR or above and completeness above the threshold
    tool_seconds: dict[str, float]  # wall time per static tool
    generate_seconds: float


class RunState(TypedDict):
    """The whole state of a run; ``attempts`` only ever grows."""

    run_id: str  # also the episode id
    task: str  # the user's request
    stub: str | None  # the user's stub (imports + signature + docstring), if any
    max_cycles: int  # the cycle bound this run started with
    settings: dict[str, Any]  # Settings.model_dump(mode="json") at the start; resume uses them
    review_when_clean: bool  # whether code the static tests passed is reviewed (cycles.*)
    draft: Draft | None  # the current cycle's code, until static_test judges it
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
) -> RunState:
    """The state a new run starts from."""
    return {
        "run_id": run_id,
        "task": task,
        "stub": stub,
        "max_cycles": max_cycles,
        "settings": dict(settings or {}),
        "review_when_clean": review_when_clean,
        "draft": None,
        "attempts": [],
        "feedback": "",
        "feedback_history": [],
        "reflect_seconds": [],
        "review": "",
        "review_verdicts": [],
        "status": "running",
        "episode_id": None,
    }
