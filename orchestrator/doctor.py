"""``main.py doctor``: check every part the product needs, each with ok/fail and a hint.

Each check does a piece of real work with its part and says what it measured: the
model decodes a token, the embedder embeds sentences, the episode store takes a
file, ruff and pyright find known faults, the sandbox runs a probe. A check that
raises fails with the exception; only a missing optional extra (Ray) leaves doctor
passing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from config.errors import UserError
from orchestrator.command import EXIT_CLEAN, EXIT_NOT_CLEAN, CommandContext

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from rich.text import Text

    from config.settings import ModelSettings
    from memory.embedding import EmbedderKind

#: Every check, in the order doctor runs them (``--check NAME`` runs some of them).
CHECK_NAMES = (
    "python",
    "llama-cpp-python",
    "model",
    "embedder",
    "store",
    "ruff",
    "pyright",
    "lancedb",
    "ray",
    "sandbox",
)
_CRASH_HINT = "run with -v for details"


@dataclass(frozen=True)
class Check:
    """The outcome of one check. ``required`` is False only for an optional extra that is
    not installed: it is reported, and doctor still passes."""

    name: str
    ok: bool
    detail: str
    hint: str = ""
    required: bool = True


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the ``doctor`` command."""
    parser = subparsers.add_parser(
        "doctor",
        parents=[common],
        help="check the installation",
        description=(__doc__ or "").replace("``", ""),  # the docstring, without RST quotes
    )
    parser.add_argument("--model", help="GGUF file to check instead of the configured one")
    parser.add_argument(
        "--check",
        action="append",
        choices=CHECK_NAMES,
        metavar="NAME",
        help="run only this check (repeatable): " + ", ".join(CHECK_NAMES),
    )
    parser.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run the checks, print the table (or JSON); exit 1 if a required one failed."""
    from rich.text import Text

    from orchestrator.rendering import literal_table

    checks = run_checks(ctx, model=args.model, only=args.check)
    passed = all(c.ok or not c.required for c in checks)
    if ctx.json_output:
        ctx.console.print_json(json.dumps({"ok": passed, "checks": [asdict(c) for c in checks]}))
    else:
        table = literal_table("supercoder doctor", ("check", "status", "detail", "hint"))
        for c in checks:
            table.add_row(Text(c.name), _status(c), Text(c.detail), Text(c.hint))
        ctx.console.print(table)
    return EXIT_CLEAN if passed else EXIT_NOT_CLEAN


def _status(check: Check) -> Text:
    from rich.text import Text

    if check.ok:
        return Text("ok", style="green")
    return Text("fail", style="red") if check.required else Text("missing", style="yellow")


def run_checks(
    ctx: CommandContext, *, model: str | None = None, only: list[str] | None = None
) -> list[Check]:
    """Run the checks ``only`` names (all by default) in doctor's order; ``model`` replaces
    the configured model. A check that raises becomes a failed one."""
    settings = ctx.settings
    checks: dict[str, tuple[Callable[[], Check], str]] = {
        "python": (_check_python, _CRASH_HINT),
        "llama-cpp-python": (
            lambda: _check_llama(settings.model.n_gpu_layers),
            "reinstall llama-cpp-python with `make setup`",
        ),
        "model": (lambda: _check_model(model or settings.model.path, settings.model), _CRASH_HINT),
        "embedder": (
            lambda: _check_embedder(settings.memory.embedder),
            "reinstall with `make setup`, or set memory.embedder: hash",
        ),
        "store": (
            lambda: _check_store(_store_path(ctx)),
            "set memory.path (or SUPERCODER_MEMORY_PATH) to a writable directory",
        ),
        "ruff": (_check_ruff, _CRASH_HINT),
        "pyright": (_check_pyright, _CRASH_HINT),
        "lancedb": (_check_lancedb, _CRASH_HINT),
        "ray": (_check_ray, "reinstall the cluster extra: pip install -e '.[cluster]'"),
        "sandbox": (_check_sandbox, _CRASH_HINT),
    }
    return [
        _guard(name, check, hint)
        for name, (check, hint) in checks.items()
        if only is None or name in only
    ]


def _guard(name: str, check: Callable[[], Check], hint: str) -> Check:
    """Run one check; an exception becomes a failed check, never a crash of doctor."""
    try:
        return check()
    except UserError as exc:
        return Check(name, False, exc.message, "see the message")
    except Exception as exc:
        return Check(name, False, f"{type(exc).__name__}: {exc}", hint)


def _check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check(
        "python",
        ok,
        f"{version} at {sys.executable}",
        "" if ok else "Python 3.11 or newer is needed",
    )


def _check_llama(n_gpu_layers: int) -> Check:
    """The native library loads and names a compute backend; GPU offload if it is configured."""
    import llama_cpp

    from decoding.llama_adapter import system_info

    info = system_info()
    backends = compute_backends(info)
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    detail = (
        f"{importlib.metadata.version('llama-cpp-python')}; "
        f"backends {', '.join(backends) or 'none'}; GPU offload {'yes' if gpu else 'no'}; {info}"
    )
    if not backends:
        return Check(
            "llama-cpp-python",
            False,
            detail,
            "llama.cpp reports no compute backend: reinstall it with `make setup`",
        )
    if n_gpu_layers != 0 and not gpu:
        return Check(
            "llama-cpp-python",
            False,
            f"model.n_gpu_layers is {n_gpu_layers}, but this build cannot offload to a GPU; "
            + detail,
            'rebuild with a GPU backend (make setup CMAKE_ARGS="-DGGML_CUDA=on") '
            "or set model.n_gpu_layers to 0",
        )
    return Check("llama-cpp-python", True, detail)


def compute_backends(system_info: str) -> list[str]:
    """The backends named in llama.cpp's system info (``"CUDA : ... | CPU : SSE3 = 1 | ..."``)."""
    return [
        part.split(" : ", 1)[0].strip() for part in system_info.split("|") if " : " in part
    ]


#: What the model check decodes: a prompt any code model continues.
_DECODE_PROBE = "def add(a, b):\n    return"


def _check_model(spec: str, settings: ModelSettings) -> Check:
    """Load the model and decode a prompt; its next-token logits must be usable."""
    import numpy as np

    from decoding.embedded_model import QWEN_CODER_1_5B
    from decoding.llama_adapter import LlamaAdapter
    from decoding.model_file import DEFAULT_MODEL
    from orchestrator.model_setup import resolve_with_progress

    model_file = resolve_with_progress(spec)
    start = time.perf_counter()
    with LlamaAdapter(
        model_file.path,
        n_ctx=512,
        n_seq_max=2,
        n_gpu_layers=settings.n_gpu_layers,
        n_threads=settings.n_threads or None,
    ) as adapter:
        load_seconds = time.perf_counter() - start
        caps = adapter.capabilities
        prompt = adapter.tokenize(_DECODE_PROBE)
        start = time.perf_counter()
        adapter.decode_prompt(prompt)
        logits = np.array(adapter.logits(0), dtype=np.float32)
        decode_seconds = time.perf_counter() - start
        problem = logits_problem(logits, adapter.n_vocab)
        next_text = "" if problem else adapter.detokenize([int(np.argmax(logits))])
    about = (
        f"{QWEN_CODER_1_5B.name} ({QWEN_CODER_1_5B.license}) from {QWEN_CODER_1_5B.source}; "
        if spec == DEFAULT_MODEL
        else ""
    )
    file = (
        f"{about}{model_file.path} ({model_file.size / 1e6:.0f} MB, "
        f"sha256 {model_file.sha256_prefix}); loads in {load_seconds:.1f} s"
    )
    if problem:
        return Check(
            "model",
            False,
            f"{file}; decoding {len(prompt)} prompt tokens gave unusable logits: {problem}",
            "the model file or the llama.cpp build is broken: check the file, "
            "or reinstall llama-cpp-python with `make setup`",
        )
    detail = (
        f"{file}; decodes {len(prompt)} prompt tokens in {decode_seconds:.2f} s "
        f"(next token {next_text!r}); {caps.description}, vocabulary {caps.vocab_size}, "
        f"trained context {caps.n_ctx_train}, forks {'yes' if caps.can_fork else 'no'}"
    )
    return Check("model", True, detail)


def logits_problem(logits: npt.NDArray[np.float32], n_vocab: int) -> str:
    """What makes one row of next-token logits unusable ("" when nothing does)."""
    import numpy as np

    if logits.shape != (n_vocab,):
        return f"{logits.size} values for a vocabulary of {n_vocab}"
    finite = np.isfinite(logits)
    if not finite.all():
        return f"{int((~finite).sum())} of {n_vocab} are not finite"
    if logits.max() == logits.min():
        return f"every one is {float(logits[0])}"
    return ""


#: What the embedder check embeds: a task, its paraphrase and an unrelated task.
_EMBED_PROBE = ("Reverse a string", "Return the string backwards", "Count the primes below n")


def _check_embedder(kind: EmbedderKind) -> Check:
    """Embed three sentences: unit vectors of the embedder's dimension, the paraphrase
    nearer than the unrelated task."""
    import numpy as np

    from memory.embedding import make_embedder

    start = time.perf_counter()
    embedder = make_embedder(kind)
    vectors = np.asarray(embedder.embed(_EMBED_PROBE), dtype=np.float64)
    seconds = time.perf_counter() - start
    name = f"{embedder.name}, {embedder.dim} dimensions"
    problem = embedding_problem(vectors, embedder.dim)
    if problem:
        return Check(
            "embedder",
            False,
            f"{name}: {problem}",
            "reinstall with `make setup`, or set memory.embedder: hash",
        )
    near, far = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    runtime = (
        f" on onnxruntime {importlib.metadata.version('onnxruntime')}" if kind == "minilm" else ""
    )
    return Check(
        "embedder",
        True,
        f"{name}{runtime}: a paraphrase at cosine {near:.2f}, an unrelated task at {far:.2f}; "
        f"loads and embeds in {seconds:.2f} s",
    )


def embedding_problem(vectors: npt.NDArray[np.float64], dim: int) -> str:
    """What makes the probe's embeddings unusable ("" when nothing does): rows of the wrong
    shape, not finite or not of unit length, or the paraphrase no nearer than the other task."""
    import numpy as np

    if vectors.shape != (len(_EMBED_PROBE), dim):
        return f"vectors of shape {vectors.shape}, expected {(len(_EMBED_PROBE), dim)}"
    if not np.isfinite(vectors).all():
        return "the vectors are not finite"
    if not np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3):
        return "the vectors are not of unit length"
    near, far = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    if near <= far:
        return f"a paraphrase is no nearer ({near:.2f}) than an unrelated task ({far:.2f})"
    return ""


def _store_path(ctx: CommandContext) -> Path:
    from memory.store import store_path

    return store_path(ctx.settings.memory, ctx.data_dir)


def _check_store(path: Path) -> Check:
    """Create (if need be) the store's directory and a file in it, then remove what was made:
    the user's store is left as it was, with no table created."""
    path = path.expanduser()
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-") as probe:
            probe.write(b"probe")
            probe.flush()
    except OSError as exc:
        return Check(
            "store",
            False,
            f"cannot write the episode store at {path}: {exc.strerror or exc}",
            "set memory.path (or SUPERCODER_MEMORY_PATH) to a writable directory",
        )
    finally:
        for folder in missing:  # deepest first; one another process filled meanwhile stays
            with contextlib.suppress(OSError):
                folder.rmdir()
    state = "created on the first run" if missing else "exists"
    return Check("store", True, f"{path} is writable ({state})")


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


def _check_ray() -> Check:
    """Ray, of the optional cluster extra, imports; its absence does not fail doctor."""
    if importlib.util.find_spec("ray") is None:
        return Check(
            "ray",
            False,
            "not installed: batches on Ray workers (run --tasks FILE --workers N) are unavailable",
            "install the cluster extra: pip install -e '.[cluster]' (make setup does)",
            required=False,
        )
    start = time.perf_counter()
    import ray

    return Check(
        "ray",
        True,
        f"{ray.__version__}, for batches on Ray workers (run --tasks FILE --workers N); "
        f"imports in {time.perf_counter() - start:.1f} s",
    )


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
