"""The command line of ``run`` and ``resume``: their arguments and what ``resume`` may change."""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestrator.command import entropy_threshold

#: Flags ``resume`` accepts: they change how the run is decoded, not what it is.
RESUME_OVERRIDES = ("n_ctx", "max_tokens", "n_gpu_layers")


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """The task (or task file), where the code goes, and the model, decoding and SABS flags."""
    run.add_argument("task", nargs="?", help='what to write, e.g. "Write a function that ..."')
    run.add_argument(
        "--stub", type=Path, help="Python file with imports, signature and docstring to complete"
    )
    run.add_argument(
        "--tests",
        type=Path,
        help="Python file of assert lines or test_* functions the code must pass (run in the "
        "sandbox)",
    )
    run.add_argument(
        "--spec",
        type=Path,
        help="JSON spec: function_name, parameters, return_type, constraints, examples; it "
        "gives the stub, the task (unless one is given) and the checks",
    )
    run.add_argument(
        "--tasks",
        type=Path,
        help='JSONL file of tasks to run in sequence ({"task": ..., "stub": ..., "tests": ...})',
    )
    run.add_argument(
        "--workers",
        type=int,
        help="run the --tasks batch on N Ray workers, each with the model loaded once",
    )
    run.add_argument(
        "--ray",
        metavar="ADDRESS",
        help='join the Ray cluster at ADDRESS ("auto", HOST:6379, ray://HOST:10001) for the '
        "batch; without it --workers starts a local Ray instance",
    )
    run.add_argument("--out", type=Path, help="write the final code to this file")
    run.add_argument(
        "--force",
        action="store_true",
        help="overwrite --out if it exists, or files in --out-dir that its manifest does not list",
    )
    run.add_argument(
        "--out-dir",
        type=Path,
        metavar="DIR",
        help="with --tasks: write each task's code to DIR/ID.py and a manifest, "
        "DIR/manifest.jsonl (task, id, status, file, findings, checks passed)",
    )
    run.add_argument(
        "--yes", action="store_true", help="answer the human gate with 'continue' unattended"
    )
    _add_generation_flags(run)


def add_resume_arguments(resume: argparse.ArgumentParser) -> None:
    """The run to continue and the few settings that may change (``RESUME_OVERRIDES``)."""
    resume.add_argument("run_id", help="the run id printed when the run started (see `runs`)")
    resume.add_argument(
        "--yes", action="store_true", help="answer the human gate with 'continue' unattended"
    )
    changes = resume.add_argument_group("what may change (the rest is as the run started)")
    changes.add_argument("--n-ctx", type=int, help="context length in tokens")
    changes.add_argument("--max-tokens", type=int, help="tokens to generate at most per cycle")
    changes.add_argument("--n-gpu-layers", type=int, help="layers to offload to a GPU (-1: all)")


def add_model_and_loop_flags(group: argparse._ArgumentGroup) -> None:
    """The flags ``run`` and the service share: the model, tokens and cycles, verification."""
    group.add_argument("--model", help='GGUF file, or "default" for the embedded model')
    group.add_argument("--n-ctx", type=int, help="context length in tokens")
    group.add_argument("--n-gpu-layers", type=int, help="layers to offload to a GPU (-1: all)")
    group.add_argument("--max-tokens", type=int, help="tokens to generate at most per cycle")
    group.add_argument("--max-cycles", type=int, help="improvement cycles at most")
    group.add_argument(
        "--verify",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the examples and tests in the WebAssembly sandbox (on by default)",
    )


def _add_generation_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model and decoding (override the YAML)")
    add_model_and_loop_flags(group)
    group.add_argument("--temperature", type=float, help="0 = greedy")
    group.add_argument(
        "--entropy-threshold", type=entropy_threshold, help='branching threshold or "auto"'
    )
    group.add_argument("--beam-width", type=int, help="beams kept at most")
    group.add_argument("--seed", type=int, help="random seed")
    group.add_argument("--log-every", type=int, help="progress every N decoding steps (0: quiet)")
    sabs = parser.add_argument_group("security-aware beam search")
    sabs.add_argument(
        "--use-sabs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="check beams while decoding",
    )
    sabs.add_argument(
        "--sabs-lambda", type=float, help="weight of the security penalty in beam scores"
    )
    sabs.add_argument(
        "--sabs-no-hard-fail",
        dest="sabs_hard_fail",
        action="store_const",
        const=False,
        default=None,
        help="penalise CRITICAL findings instead of failing the beam",
    )
    sabs.add_argument("--sabs-log", help="JSONL file for SABS decisions")
