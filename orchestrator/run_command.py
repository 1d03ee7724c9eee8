"""``main.py run``, ``resume`` and ``runs``: start, continue and list runs of the loop.

What can be checked without the model (the task, the stub, the ``--out``
and ``--out-dir`` targets, the run to resume) is checked before the model
loads, and so is the length of a single run's prompt, with the model's
tokenizer alone. ``resume``
continues with the settings the run started with. The work is elsewhere, one
job per module: the arguments (``run_args``), a task file (``tasks``),
driving a run and its human gate (``runner``, ``gate``), a batch in this
process (``batch``) or on Ray (``cluster``), and what is printed
(``rendering``).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.errors import UsageError
from orchestrator.command import (
    EXIT_CLEAN,
    EXIT_NOT_CLEAN,
    OVERRIDE_KEYS,
    CommandContext,
    confirm,
    read_text_file,
)
from orchestrator.run_args import RESUME_OVERRIDES, add_resume_arguments, add_run_arguments
from orchestrator.tasks import TaskSpec, read_tasks

if TYPE_CHECKING:
    from config.settings import Settings
    from orchestrator.report import RunReport


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``run``, ``resume`` and ``runs`` commands."""
    run = subparsers.add_parser(
        "run", parents=[common], help="generate code for a task (default command)"
    )
    add_run_arguments(run)
    run.set_defaults(handler=handle_run)

    resume = subparsers.add_parser(
        "resume",
        parents=[common],
        help="continue an interrupted or paused run with the settings it started with",
    )
    add_resume_arguments(resume)
    resume.set_defaults(handler=handle_resume)

    runs = subparsers.add_parser("runs", parents=[common], help="list runs and their status")
    runs.set_defaults(handler=handle_runs)
    actions = runs.add_subparsers(dest="action", metavar="ACTION")
    delete = actions.add_parser(
        "delete", parents=[common], help="delete a run and its checkpoints (not its episode)"
    )
    delete.add_argument("run_id", metavar="RUN_ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=handle_delete_run)


def handle_run(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run one task (or a batch from ``--tasks``) through the loop."""
    if args.tasks is not None:
        if args.task or args.stub or args.tests or args.spec:
            raise UsageError(
                "give either a task (with --stub, --tests or --spec) or --tasks FILE, not both"
            )
        if args.out is not None:
            raise UsageError("--out writes one file: give a batch's files with --out-dir DIR")
        specs = read_tasks(args.tasks)
        if any(s.suite for s in specs):
            check_verifiable(ctx, "a task's tests")
        check_targets(args, ctx)
        if args.out_dir is not None:
            from orchestrator.batch import check_out_dir

            check_out_dir(args.out_dir, specs, force=args.force)
        if args.workers is not None or args.ray is not None:
            from orchestrator.cluster.driver import run_batch

            return run_batch(specs, args, ctx)
        from orchestrator.batch import run_sequential

        return run_sequential(specs, args, ctx)
    if args.workers is not None or args.ray is not None:
        raise UsageError("--workers and --ray run a batch: give it with --tasks FILE")
    if args.out_dir is not None:
        raise UsageError("--out-dir writes a batch's files: give it with --tasks FILE, or --out")
    spec = task_from_args(args, ctx)
    check_targets(args, ctx)
    check_prompt_fits(spec, ctx)
    from orchestrator import resources
    from orchestrator.runner import execute_run

    with resources.open_run_resources(ctx) as (run_ctx, graph):
        report = execute_run(graph, run_ctx, ctx, spec, yes=args.yes)
    return _finish(report, args, ctx)


def task_from_args(args: argparse.Namespace, ctx: CommandContext) -> TaskSpec:
    """The task, stub and checks of one run from ``TASK``, ``--stub``, ``--spec`` and ``--tests``;
    ``UsageError`` for anything that does not parse, before the model loads."""
    from nodes.prompting import validate_stub, validate_task
    from verify.checks import Suite
    from verify.spec import load_spec
    from verify.user_tests import load_tests

    stub = (
        validate_stub(read_text_file(args.stub, what="stub file"), source=f"stub file {args.stub}")
        if args.stub
        else None
    )
    task = args.task or ""
    suite = Suite()
    if args.spec is not None:
        if stub is not None:
            raise UsageError("--spec gives the stub: use --spec or --stub, not both")
        spec = load_spec(read_text_file(args.spec, what="spec file"), name=str(args.spec))
        stub, task, suite = spec.stub(), task or spec.task(), spec.suite()
    if args.tests is not None:
        suite = suite + load_tests(read_text_file(args.tests, what="tests file"), name=str(args.tests))
    if suite.checks:
        check_verifiable(ctx, "--tests and --spec")
    return TaskSpec(validate_task(task), stub, suite=suite.to_dict() if suite.checks else None)


def check_verifiable(ctx: CommandContext, what: str) -> None:
    """``UsageError`` if checks were given but verification is off: they could never run."""
    if not ctx.settings.verify.enabled:
        raise UsageError(
            f"{what} run in the sandbox: drop --no-verify (or set verify.enabled: true)"
        )


def check_prompt_fits(spec: TaskSpec, ctx: CommandContext) -> None:
    """Raise ``PromptTooLongError`` if the task's first prompt and ``--max-tokens`` cannot fit
    the context, judged with the model's tokenizer alone, before its weights load.

    Past episodes only lengthen a later prompt; the generator judges every prompt again.
    A GGUF whose vocabulary cannot be loaded alone is left to the full load.
    """
    from decoding.prompt_length import check_fits, count_tokens, open_vocabulary
    from nodes.prompting import choose_template, prompt_for
    from orchestrator.model_setup import resolve_with_progress

    settings = ctx.settings
    model_file = resolve_with_progress(settings.model.path, quiet=ctx.quiet or ctx.json_output)
    vocabulary = open_vocabulary(model_file.path)
    if vocabulary is None:
        return
    with vocabulary:
        template = choose_template(
            settings.model.use_chat_template, vocabulary.chat_template(), model_file.name
        )
        prompt = prompt_for(template, spec.task, stub=spec.stub)
        tokens = count_tokens(vocabulary, prompt.text, special=prompt.special_tokens)
    check_fits(tokens, settings.decoding.max_tokens, settings.model.n_ctx)


def check_targets(args: argparse.Namespace, ctx: CommandContext) -> None:
    """Raise ``UsageError`` unless ``--out`` and the SABS log can be written, before any work."""
    targets = []
    if getattr(args, "out", None) is not None:
        if args.out.exists() and not args.out.is_dir() and not args.force:
            raise UsageError(f"{args.out} exists; pass --force to overwrite it")
        targets.append(("--out", args.out))
    if ctx.settings.sabs.enabled and ctx.settings.sabs.log_path:
        targets.append(("the SABS log", Path(ctx.settings.sabs.log_path)))
    from config.files import check_writable

    for what, path in targets:
        try:
            check_writable(path)
        except OSError as exc:
            raise UsageError(f"{what} {path}: cannot write a file there ({exc.strerror})") from None


def handle_resume(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Continue run ``args.run_id`` from its last checkpoint, as it was started."""
    from orchestrator import resources
    from orchestrator.graph import build_graph
    from orchestrator.rendering import stderr_console
    from orchestrator.report import report_from_state
    from orchestrator.runner import drive
    from orchestrator.runs import RunStoreError, open_checkpointer, run_config

    if args.config is not None:
        raise UsageError(
            "resume continues with the settings the run started with; only "
            "--n-ctx, --max-tokens and --n-gpu-layers may change them"
        )
    with open_checkpointer(ctx.data_dir) as saver:
        snapshot = build_graph(saver).get_state(run_config(args.run_id))
    if not snapshot.values:
        raise RunStoreError(f"no run with id {args.run_id!r}; see `main.py runs`")
    if not snapshot.next:
        report = report_from_state(args.run_id, snapshot.values, 0.0)
        if not ctx.quiet and not ctx.json_output:
            stderr_console().print(f"run {args.run_id} has already finished ({report.status})")
        return _finish(report, args, ctx)
    ctx = replace(ctx, settings=resumed_settings(snapshot.values, ctx, args))
    with resources.open_run_resources(ctx) as (run_ctx, graph):
        run_ctx.progress.note(f"resuming run {args.run_id} before {', '.join(snapshot.next)}")
        report = drive(graph, run_ctx, ctx, args.run_id, None, yes=args.yes)
    return _finish(report, args, ctx)


def resumed_settings(
    values: dict[str, Any], ctx: CommandContext, args: argparse.Namespace
) -> Settings:
    """The settings the run started with, changed only by the flags given to ``resume``."""
    from pydantic import ValidationError

    from config.settings import Settings
    from orchestrator.runs import RunStoreError

    stored = values.get("settings")
    if not stored:  # a run from before settings were stored: today's configuration
        return ctx.settings
    try:
        settings = Settings.model_validate(stored)
    except ValidationError:
        raise RunStoreError(
            f"run {args.run_id} was started with settings this version cannot read"
        ) from None
    for attr in RESUME_OVERRIDES:
        if getattr(args, attr, None) is None:
            continue
        section_name, _, key = OVERRIDE_KEYS[attr].partition(".")
        given = getattr(getattr(ctx.settings, section_name), key)
        section = getattr(settings, section_name).model_copy(update={key: given})
        settings = settings.model_copy(update={section_name: section})
    return settings


def handle_runs(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List every run with its status."""
    from orchestrator.rendering import runs_table
    from orchestrator.runs import list_runs, open_checkpointer

    with open_checkpointer(ctx.data_dir) as saver:
        summaries = list_runs(saver)
    if ctx.json_output:
        ctx.console.print_json(json.dumps([s.__dict__ for s in summaries], ensure_ascii=False))
    elif not summaries:
        ctx.console.print("no runs yet")
    else:
        ctx.console.print(runs_table(summaries))
    return EXIT_CLEAN


def handle_delete_run(args: argparse.Namespace, ctx: CommandContext) -> int:
    """``runs delete RUN_ID``: remove a run (its episode, if one was logged, stays)."""
    from orchestrator.runs import RunStoreError, delete_run, list_runs, open_checkpointer

    with open_checkpointer(ctx.data_dir) as saver:
        found = next((r for r in list_runs(saver) if r.run_id == args.run_id), None)
        if found is None:
            raise RunStoreError(f"no run with id {args.run_id!r}; see `main.py runs`")
        question = f"delete run {found.run_id} ({found.status}, {found.cycles} cycle(s))?"
        if not confirm(question, yes=args.yes):
            ctx.console.print("nothing deleted")
            return EXIT_NOT_CLEAN
        delete_run(saver, found.run_id)
    ctx.console.print(f"deleted run {found.run_id}")
    return EXIT_CLEAN


def _finish(report: RunReport, args: argparse.Namespace, ctx: CommandContext) -> int:
    from orchestrator.rendering import print_report

    out: Path | None = getattr(args, "out", None)
    if out is not None:
        from orchestrator import resources

        resources.write_code(out, report.code, force=args.force)
    if ctx.json_output:
        document = {**report.to_dict(), "out": str(out) if out is not None else None}
        ctx.console.print_json(json.dumps(document, ensure_ascii=False))
    else:
        print_report(report, ctx, out=out)
    return report.exit_code
