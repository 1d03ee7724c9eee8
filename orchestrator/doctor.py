"""``main.py doctor``: check every part the product needs, each with ok/fail and a hint."""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from config.errors import UserError
from orchestrator.command import EXIT_CLEAN, EXIT_NOT_CLEAN, CommandContext


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str
    hint: str = ""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``doctor`` command."""
    parser = subparsers.add_parser(
        "doctor", parents=[common], help="check the installation", description=__doc__
    )
    parser.add_argument("--model", help="GGUF file to check instead of the configured one")
    parser.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run every check, print the table (or JSON); exit 1 if any failed."""
    from rich.text import Text

    from finetune.render import literal_table

    checks = [
        _guard("python", _check_python),
        _guard("llama-cpp-python", _check_llama),
        _guard("model", lambda: _check_model(args.model or ctx.settings.model.path)),
        _guard("ruff", _check_ruff),
        _guard("pyright", _check_pyright),
        _guard("lancedb", _check_lancedb),
        _guard("sandbox", _check_sandbox),
    ]
    if ctx.json_output:
        ctx.console.print_json(
            json.dumps({"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]})
        )
    else:
        table = literal_table("supercoder doctor", ("check", "status", "detail", "hint"))
        for c in checks:
            status = Text("ok", style="green") if c.ok else Text("fail", style="red")
            table.add_row(Text(c.name), status, Text(c.detail), Text(c.hint))
        ctx.console.print(table)
    return EXIT_CLEAN if all(c.ok for c in checks) else EXIT_NOT_CLEAN


def _guard(name: str, check: Callable[[], Check]) -> Check:
    """Run one check; an exception becomes a failed check, never a crash of doctor."""
    try:
        return check()
    except UserError as exc:
        return Check(name, False, exc.message, "see the message")
    except Exception as exc:
        return Check(name, False, f"{type(exc).__name__}: {exc}", "run with -v for details")


def _check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check(
        "python",
        ok,
        f"{version} at {sys.executable}",
        "" if ok else "Python 3.11 or newer is needed",
    )


def _check_llama() -> Check:
    from decoding.llama_adapter import system_info

    version = importlib.metadata.version("llama-cpp-python")
    return Check("llama-cpp-python", True, f"{version}; {system_info()}")


def _check_model(spec: str) -> Check:
    from decoding.embedded_model import QWEN_CODER_1_5B
    from decoding.llama_adapter import LlamaAdapter
    from decoding.model_file import DEFAULT_MODEL
    from orchestrator.model_setup import resolve_with_progress

    model_file = resolve_with_progress(spec)
    start = time.perf_counter()
    with LlamaAdapter(model_file.path, n_ctx=512, n_seq_max=2) as adapter:
        caps = adapter.capabilities
    seconds = time.perf_counter() - start
    embedded = QWEN_CODER_1_5B
    about = (
        f"{embedded.name} ({embedded.license}) from {embedded.source}; "
        if spec == DEFAULT_MODEL
        else ""
    )
    detail = (
        f"{about}{model_file.path} ({model_file.size / 1e6:.0f} MB, sha256 {model_file.sha256_prefix}); "
        f"loads in {seconds:.1f} s; {caps.description}, vocabulary {caps.vocab_size}, "
        f"trained context {caps.n_ctx_train}, forks {'yes' if caps.can_fork else 'no'}"
    )
    return Check("model", True, detail)


def _check_ruff() -> Check:
    from analysis.lint import lint

    start = time.perf_counter()
    findings = lint("import os\n", select=("F",))
    ok = any(f.rule == "F401" for f in findings)
    return Check(
        "ruff",
        ok,
        f"{importlib.metadata.version('ruff')}, finds F401 in {time.perf_counter() - start:.2f} s",
        "" if ok else "ruff ran but did not report a known finding",
    )


def _check_pyright() -> Check:
    from analysis.typecheck import typecheck

    start = time.perf_counter()
    findings = typecheck("x: int = 'a'\n")
    ok = any(f.line == 1 for f in findings)
    return Check(
        "pyright",
        ok,
        f"{importlib.metadata.version('pyright')} (node via pyright[nodejs]), "
        f"type error found in {time.perf_counter() - start:.1f} s",
        "" if ok else "pyright ran but did not report a known type error",
    )


def _check_lancedb() -> Check:
    import lancedb

    with tempfile.TemporaryDirectory() as tmp:
        db = lancedb.connect(Path(tmp) / "probe")
        table = db.create_table("probe", data=[{"id": 1, "vector": [0.0, 1.0]}])
        rows = table.count_rows()
    ok = rows == 1
    return Check("lancedb", ok, f"{importlib.metadata.version('lancedb')}, wrote and read a table")


#: What the sandbox probe runs: a passing check, and an attempt to read a host file.
_PROBE_CODE = "def add(a, b):\n    return a + b\n"
_PROBE_TESTS = ("assert add(2, 3) == 5", "open('/etc/hostname').read()")


def _check_sandbox() -> Check:
    from verify.runtime import CPYTHON_WASI
    from verify.sandbox import Sandbox

    with Sandbox.open() as sandbox:
        verdict = sandbox.run(_PROBE_CODE, _PROBE_TESTS)
    outcomes = [t.outcome for t in verdict.tests]
    ok = verdict.status == "ok" and outcomes == ["passed", "error"]
    detail = (
        f"CPython {CPYTHON_WASI.python} on WASI under wasmtime "
        f"{importlib.metadata.version('wasmtime')}: ran a check in {verdict.seconds:.2f} s; "
        "a host file could not be read"
        if ok
        else f"the probe gave {verdict.status} {outcomes}: {verdict.error}"
    )
    return Check(
        "sandbox", ok, detail, "" if ok else "run `make setup`, or run with --no-verify"
    )
