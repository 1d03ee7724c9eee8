"""The whole loop on the real default model: cycles, the human gate, kill and resume."""

from __future__ import annotations

import ast
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from langgraph.types import Command
from rich.console import Console

from config.loader import load_settings
from config.paths import data_dir
from memory.embedding import make_embedder
from memory.episode import Outcome
from memory.store import EpisodeStore, store_path
from nodes.state import initial_state
from orchestrator.command import CommandContext
from orchestrator.resources import open_run_resources
from orchestrator.runner import execute_run
from orchestrator.runs import run_config
from orchestrator.tasks import TaskSpec
from tests.orchestrator.commands import (
    HASH_CONFIG,
    ctrl_c_as_at_a_terminal,
    main_command,
    main_py,
)
from verify.user_tests import load_tests

pytestmark = pytest.mark.model

TASK = "Write a function that returns the larger of two integers"
FAST = {
    "decoding.max_tokens": 24,
    "decoding.beam_width": 2,
    "memory.embedder": "hash",
    "verify.samples": 2,
    "verify.model_tests": 2,
    "verify.test_max_tokens": 40,
}
#: A stub whose first line is a type error: no cycle can end clean, whatever the model writes.
NEVER_CLEAN_STUB = (
    'LIMIT: int = "ten"\n\n\ndef larger(a: int, b: int) -> int:\n'
    '    """Return the larger of a and b."""\n'
)


def context(**overrides: object) -> CommandContext:
    settings = load_settings(environ={}, overrides={**FAST, **overrides})
    return CommandContext(
        settings=settings,
        console=Console(quiet=True),
        json_output=False,
        quiet=True,
        data_dir=data_dir(),
    )


def open_store(ctx: CommandContext) -> EpisodeStore:
    return EpisodeStore.open(store_path(ctx.settings.memory, ctx.data_dir), make_embedder("hash"))


def test_two_unclean_cycles_end_in_learn_with_one_episode() -> None:
    ctx = context(**{"cycles.max_cycles": 2, "decoding.max_tokens": 8})
    with open_run_resources(ctx) as (run_ctx, graph):
        report = execute_run(graph, run_ctx, ctx, TaskSpec(TASK, NEVER_CLEAN_STUB), yes=True)
    episode = open_store(ctx).get(report.run_id)
    assert episode is not None
    assert report.episode_id == report.run_id
    assert (report.cycles, report.status, episode.outcome) == (2, "limit", Outcome.LIMIT)
    assert len(episode.attempts) == 2
    assert 'line 1 (`LIMIT: int = "ten"`)' in episode.attempts[0].feedback  # reflect's, kept


def test_human_gate_pauses_and_a_stop_answer_ends_the_run() -> None:
    ctx = context(**{"cycles.max_cycles": 3, "decoding.max_tokens": 8})
    ctx = CommandContext(
        settings=ctx.settings.model_copy(
            update={
                "cycles": ctx.settings.cycles.model_copy(update={"require_human_approval": True})
            }
        ),
        console=ctx.console,
        json_output=False,
        quiet=True,
        data_dir=ctx.data_dir,
    )
    run_id = "gate-test"
    initial = initial_state(run_id, TASK, None, 3)
    with open_run_resources(ctx) as (run_ctx, graph):
        config = run_config(run_id, recursion_limit=20)
        graph.invoke(initial, config, context=run_ctx)
        paused = graph.get_state(config)
        assert paused.next == ("approve",)
        assert paused.interrupts[0].value["cycle"] == 1
        graph.invoke(Command(resume={"action": "stop"}), config, context=run_ctx)
        final = graph.get_state(config)
    assert final.next == ()
    assert final.values["status"] == "stopped"
    assert len(final.values["attempts"]) == 1
    episode = open_store(ctx).get(run_id)
    assert episode is not None
    assert episode.outcome is Outcome.INTERRUPTED


def test_cli_run_prints_python_that_parses(tmp_path: Path) -> None:
    stub = tmp_path / "stub.py"
    stub.write_text(
        'def larger(a: int, b: int) -> int:\n    """Return the larger of a and b."""\n',
        encoding="utf-8",
    )
    result = main_py(
        "--json", "--stub", str(stub), "--max-cycles", "1", "--max-tokens", "48",
        "--beam-width", "2", "Complete the function",
    )  # fmt: skip
    document = json.loads(result.stdout)
    assert result.returncode == (0 if document["status"] == "clean" else 1), result.stderr
    ast.parse(document["code"])
    assert document["code"].startswith("def larger(a: int, b: int) -> int:")
    assert document["cycles"] == 1


def test_killed_run_resumes_as_started_without_redoing_finished_cycles(tmp_path: Path) -> None:
    config = tmp_path / "fast.yaml"
    config.write_text(HASH_CONFIG, encoding="utf-8")
    stub = tmp_path / "stub.py"
    stub.write_text(NEVER_CLEAN_STUB, encoding="utf-8")  # cycle 1 is never the last
    command = main_command(
        "--config", str(config), "--max-cycles", "2", "--max-tokens", "24", "--beam-width", "2",
        "--stub", str(stub), TASK,
    )  # fmt: skip
    run_id = ""
    deadline = time.monotonic() + 600
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("run ") and not run_id:
                run_id = line.split()[1].rstrip(":")
            if "cycle 2/2 generate" in line:
                break
            assert time.monotonic() < deadline
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert run_id

    ctx = context()
    with open_run_resources(ctx) as (_, graph):
        before = graph.get_state(run_config(run_id)).values["attempts"]
    assert len(before) == 1

    resumed = main_py("resume", run_id, "--json")
    document = json.loads(resumed.stdout)
    assert resumed.returncode == (0 if document["status"] == "clean" else 1), resumed.stderr
    assert document["cycles"] == 2
    assert (
        document["stats"][0]["generate_seconds"] == before[0]["generate_seconds"]
    )  # cycle 1 not redone
    assert document["stats"][1]["decoding"]["generated_tokens"] <= 24  # --max-tokens 24 kept
    assert open_store(ctx).count() == 1  # logged once, by the resumed run (hash embedder kept)


def test_ctrl_c_leaves_the_run_resumable_and_says_how(tmp_path: Path) -> None:
    config = tmp_path / "fast.yaml"
    config.write_text(HASH_CONFIG, encoding="utf-8")
    stub = tmp_path / "stub.py"
    stub.write_text(NEVER_CLEAN_STUB, encoding="utf-8")
    command = main_command(
        "--config", str(config), "--max-cycles", "2", "--max-tokens", "24", "--beam-width", "2",
        "--stub", str(stub), TASK,
    )  # fmt: skip
    lines: list[str] = []
    with subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        preexec_fn=ctrl_c_as_at_a_terminal,
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "cycle 2/2 generate ..." in line:  # cycle 1 is checkpointed; cycle 2 has begun
                process.send_signal(signal.SIGINT)
                break
        rest = process.stderr.read()
        code = process.wait(timeout=120)
    run_id = lines[0].split()[1].rstrip(":")
    assert code == 130
    resume = rf"^interrupted; continue with: \S*python\S* \S*main\.py resume {run_id}$"
    assert re.search(resume, rest, re.MULTILINE), rest
    assert rest.count("interrupted") == 1
    assert "Traceback" not in rest
    listed = main_py("--config", str(config), "runs", "--json")
    assert listed.returncode == 0, listed.stderr
    listing = json.loads(listed.stdout)
    assert [(r["run_id"], r["status"], r["cycles"]) for r in listing] == [(run_id, "resumable", 1)]
    episode = open_store(context()).get(run_id)
    assert episode is not None
    assert episode.outcome is Outcome.INTERRUPTED  # what was done is kept until the run resumes


def test_batch_records_a_failing_task_and_goes_on(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        json.dumps({"id": "too-long", "task": "word " * 700})
        + "\n"
        + json.dumps({"id": "ok", "task": TASK})
        + "\n",
        encoding="utf-8",
    )
    config = tmp_path / "fast.yaml"
    config.write_text(HASH_CONFIG, encoding="utf-8")
    result = main_py(
        "run", "--tasks", str(tasks), "--json", "--config", str(config), "--n-ctx", "512",
        "--max-tokens", "16", "--max-cycles", "1", "--beam-width", "2",
    )  # fmt: skip
    assert result.returncode == 2, result.stderr  # a task failed
    first, second = json.loads(result.stdout)
    assert first["label"] == "too-long"
    assert "the context holds 512" in first["error"]
    assert second["label"] == "ok"
    assert second["error"] == ""
    assert second["cycles"] == 1
    listing = main_py("runs", "--json")
    assert listing.returncode == 0, listing.stderr
    assert [r["run_id"] for r in json.loads(listing.stdout)] == [second["run_id"]]


def test_a_failed_test_sends_the_code_back_with_what_it_returned(tmp_path: Path) -> None:
    """No code can pass ``larger(1, 2) == 3``: cycle 1 draws samples and the model's tests,
    and cycle 2 is told what the call returned; the run ends at the limit, not clean."""
    ctx = context(**{"cycles.max_cycles": 2})
    stub = 'def larger(a: int, b: int) -> int:\n    """Return the larger of a and b."""\n'
    impossible = load_tests("assert larger(1, 2) == 3\n", name="tests.py")
    spec = TaskSpec(TASK, stub, suite=impossible.to_dict())
    with open_run_resources(ctx) as (run_ctx, graph):
        report = execute_run(graph, run_ctx, ctx, spec, yes=True)
        values = graph.get_state(run_config(report.run_id)).values
    assert (report.status, report.exit_code, report.cycles) == ("limit", 1, 2)
    user = [c for c in report.checks if c["origin"] == "user"]
    assert [(c["label"], c["outcome"], c["expected"]) for c in user] == [
        ("larger(1, 2) == 3", "failed", "3")
    ]
    assert values["sampled_cycle"] >= 1  # a cycle whose best candidate failed drew samples
    assert values["tests_written"]  # and asked the model for its tests first
    assert values["feedback_history"][0].startswith("`larger(1, 2) == 3` failed: it returned ")
    episode = open_store(ctx).get(report.run_id)
    assert episode is not None
    assert episode.attempts[0].passed is False
    assert episode.attempts[0].verification["checks"][0]["origin"] == "user"


def test_a_spec_gives_the_stub_the_task_and_the_checks(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "function_name": "add",
                "parameters": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}],
                "return_type": "int",
                "constraints": "return the sum of a and b",
                "examples": [
                    {"input": {"a": 1, "b": 2}, "output": 3},
                    {"input": {"a": -4, "b": 4}, "output": 0},
                ],
            }
        ),
        encoding="utf-8",
    )
    config = tmp_path / "fast.yaml"
    config.write_text(HASH_CONFIG, encoding="utf-8")
    result = main_py(
        "--json", "--config", str(config), "--spec", str(spec), "--max-cycles", "1",
        "--max-tokens", "48", "--beam-width", "2",
    )  # fmt: skip
    document = json.loads(result.stdout)
    assert result.returncode == (0 if document["status"] == "clean" else 1), result.stderr
    assert document["code"].startswith("def add(a: int, b: int) -> int:")
    assert [(c["origin"], c["label"]) for c in document["checks"]] == [
        ("spec", "add(a=1, b=2) == 3"),
        ("spec", "add(a=-4, b=4) == 0"),
    ]
    assert document["passed"] is (document["status"] == "clean")
