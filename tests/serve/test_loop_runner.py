"""Where the service meets the loop (``orchestrator.serve_commands``), without a model: a
run's progress goes to its job, and a cancelled job stops the run at its next line."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from orchestrator.report import RunReport
from orchestrator.serve_commands import event_progress, outcome_of
from serve.runner import RunCancelled


@dataclass
class Events:
    lines: list[str] = field(default_factory=list)
    cancelled: bool = False

    def progress(self, text: str) -> None:
        if self.cancelled:
            raise RunCancelled
        self.lines.append(text)

    def note(self, text: str) -> None:
        self.lines.append(text)


def test_every_progress_line_goes_to_the_job_and_a_cancelled_job_stops_the_run() -> None:
    events = Events()
    view = event_progress(events, max_cycles=2)
    view.node_started("generate", 1)
    view.generation(1, {"tokens": 8, "tokens_per_s": 4.0, "live_beams": 2})
    view.note("run r1: up to 2 cycle(s)")
    assert events.lines == [
        "cycle 1/2 generate ...",
        "cycle 1/2 generate: 8 tokens decoded, 4.0 tok/s, 2 live beams, 0 branches, 0 backtracks",
        "run r1: up to 2 cycle(s)",
    ]
    events.cancelled = True
    with pytest.raises(KeyboardInterrupt):  # the CLI's Ctrl-C path: an interrupted episode
        view.generation(1, {"tokens": 16})
    view.note("interrupted")  # a note never raises: the interruption itself is reported
    assert events.lines[-1] == "interrupted"


def test_the_outcome_is_the_returned_attempt_with_its_tokens() -> None:
    attempts = [
        {"cycle": 1, "clean": False, "stop_reason": "max_tokens",
         "decoding_stats": {"prompt_tokens": 50, "generated_tokens": 16}},
        {"cycle": 2, "clean": True, "stop_reason": "eos",
         "decoding_stats": {"prompt_tokens": 80, "generated_tokens": 9}},
    ]  # fmt: skip
    report = RunReport(
        run_id="r1", status="clean", code="def f():\n    return 1\n", findings=[], cycles=2,
        seconds=1.5, episode_id="r1", completeness=1.0, attempts=attempts, cycle=2,
        checks=[{"origin": "example", "outcome": "passed"}],
    )  # fmt: skip
    outcome = outcome_of(report)
    assert (outcome.clean, outcome.stop_reason, outcome.passed) == (True, "eos", True)
    assert (outcome.prompt_tokens, outcome.completion_tokens) == (80, 9)
