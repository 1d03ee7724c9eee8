"""``main.py doctor``: every check passes on a complete installation, and each one fails
when its part is broken."""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pytest

from decoding.llama_adapter import ModelCapabilities
from orchestrator.cli import main

ALL_CHECKS = {
    "python", "llama-cpp-python", "model", "embedder", "store", "ruff", "pyright", "lancedb",
    "ray", "sandbox",
}  # fmt: skip


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``doctor --json ARGS``: its exit code and its checks by name."""
    code = main(["doctor", "--json", *args])
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    return code, checks


@pytest.mark.model
def test_every_check_passes_here(capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = doctor(capsys)
    assert code == 0
    assert set(checks) == ALL_CHECKS
    assert [name for name, c in checks.items() if not c["ok"]] == []
    llama = checks["llama-cpp-python"]["detail"]
    assert llama.startswith(importlib.metadata.version("llama-cpp-python") + "; ")
    assert "CPU" in llama.split("backends ", 1)[1].split(";", 1)[0]
    assert "sha256 cc324af070c2" in checks["model"]["detail"]
    assert "prompt tokens in" in checks["model"]["detail"]
    assert checks["embedder"]["detail"].startswith("minilm-l6-v2-int8, 384 dimensions")
    assert checks["ray"]["detail"].startswith(importlib.metadata.version("ray"))


def test_only_the_named_checks_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, checks = doctor(capsys, "--check", "ray", "--check", "python")
    assert code == 0
    assert list(checks) == ["python", "ray"]


# ----------------------------------------------------------------- llama-cpp-python


def test_a_build_without_a_compute_backend_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("decoding.llama_adapter.system_info", lambda: "")
    code, checks = doctor(capsys, "--check", "llama-cpp-python")
    assert code == 1
    assert not checks["llama-cpp-python"]["ok"]
    assert "backends none" in checks["llama-cpp-python"]["detail"]
    assert "no compute backend" in checks["llama-cpp-python"]["hint"]


def test_gpu_layers_asked_of_a_build_without_a_gpu_fail(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPERCODER_N_GPU_LAYERS", "-1")
    monkeypatch.setattr("llama_cpp.llama_supports_gpu_offload", lambda: False)
    code, checks = doctor(capsys, "--check", "llama-cpp-python")
    assert code == 1
    assert not checks["llama-cpp-python"]["ok"]
    assert "model.n_gpu_layers is -1" in checks["llama-cpp-python"]["detail"]
    assert "GGML_CUDA" in checks["llama-cpp-python"]["hint"]


# ----------------------------------------------------------------- model


def test_a_corrupt_model_file_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + os.urandom(4096))
    code, checks = doctor(capsys, "--check", "model", "--model", str(corrupt))
    assert code == 1
    assert not checks["model"]["ok"]
    assert f"llama.cpp could not load {corrupt}" in checks["model"]["detail"]


class BrokenDecode:
    """A model that loads, but whose decode gives the logits it was made with."""

    logits_row = np.zeros(0, dtype=np.float32)
    n_vocab = 8
    capabilities = ModelCapabilities("broken", 8, 512, 0, can_fork=True, can_truncate=True)

    def __init__(self, path: Path, **options: Any) -> None:
        pass

    def __enter__(self) -> BrokenDecode:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        pass

    def tokenize(self, text: str) -> list[int]:
        return [1, 2, 3]

    def decode_prompt(self, tokens: Sequence[int]) -> None:
        pass

    def logits(self, seq_id: int) -> np.ndarray:
        return self.logits_row

    def detokenize(self, tokens: Sequence[int]) -> str:
        return "x"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (np.full(8, np.nan), "8 of 8 are not finite"),
        (np.array([0.0, np.inf, 1, 2, 3, 4, 5, 6]), "1 of 8 are not finite"),
        (np.arange(4), "4 values for a vocabulary of 8"),
        (np.zeros(8), "every one is 0.0"),
    ],
    ids=["nan", "infinite", "short", "flat"],
)
def test_a_decode_with_unusable_logits_fails(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    row: np.ndarray,
    expected: str,
) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF" + bytes(64))
    monkeypatch.setattr(BrokenDecode, "logits_row", row.astype(np.float32))
    monkeypatch.setattr("decoding.llama_adapter.LlamaAdapter", BrokenDecode)
    code, checks = doctor(capsys, "--check", "model", "--model", str(model))
    assert code == 1
    assert not checks["model"]["ok"]
    assert f"gave unusable logits: {expected}" in checks["model"]["detail"]


# ----------------------------------------------------------------- embedder


def test_an_embedder_that_cannot_load_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("memory.embedding.TOKENIZER_FILE", tmp_path / "tokenizer.json")
    code, checks = doctor(capsys, "--check", "embedder")
    assert code == 1
    assert not checks["embedder"]["ok"]
    assert "No such file" in checks["embedder"]["detail"]
    assert "memory.embedder: hash" in checks["embedder"]["hint"]


class FixedEmbedder:
    """An embedder that gives the same rows, whatever the texts."""

    name = "fixed"
    dim = 4

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.rows


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (np.full((3, 4), np.nan), "the vectors are not finite"),
        (np.zeros((3, 4)), "the vectors are not of unit length"),
        (np.eye(4)[[0, 1, 0]], "a paraphrase is no nearer (0.00) than an unrelated task (1.00)"),
        (np.eye(4)[:2], "vectors of shape (2, 4), expected (3, 4)"),
    ],
    ids=["nan", "zero", "unrelated nearer", "too few"],
)
def test_an_embedder_with_unusable_vectors_fails(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    rows: np.ndarray,
    expected: str,
) -> None:
    monkeypatch.setattr("memory.embedding.make_embedder", lambda kind: FixedEmbedder(rows))
    code, checks = doctor(capsys, "--check", "embedder")
    assert code == 1
    assert not checks["embedder"]["ok"]
    assert checks["embedder"]["detail"] == f"fixed, 4 dimensions: {expected}"


# ----------------------------------------------------------------- store


@pytest.mark.parametrize(
    "where",
    ["a-file/memory", "/proc/memory", "/proc"],
    ids=["under a file", "missing under /proc", "/proc itself"],
)
def test_an_unwritable_store_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SUPERCODER_MEMORY_PATH", str(tmp_path / where))  # an absolute one wins
    code, checks = doctor(capsys, "--check", "store")
    assert code == 1
    assert not checks["store"]["ok"]
    assert checks["store"]["detail"].startswith(
        f"cannot write the episode store at {tmp_path / where}: "
    )
    assert "SUPERCODER_MEMORY_PATH" in checks["store"]["hint"]


def test_the_store_check_leaves_a_new_store_uncreated(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "new" / "memory"
    monkeypatch.setenv("SUPERCODER_MEMORY_PATH", str(store))
    code, checks = doctor(capsys, "--check", "store")
    assert code == 0
    assert checks["store"]["detail"] == f"{store} is writable (created on the first run)"
    assert list(tmp_path.iterdir()) == []


def test_the_store_check_leaves_an_existing_store_as_it_was(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "kept").write_text("x", encoding="utf-8")
    monkeypatch.setenv("SUPERCODER_MEMORY_PATH", str(tmp_path / "memory"))
    code, checks = doctor(capsys, "--check", "store")
    assert code == 0
    assert checks["store"]["detail"] == f"{tmp_path / 'memory'} is writable (exists)"
    assert [p.name for p in (tmp_path / "memory").iterdir()] == ["kept"]


# ----------------------------------------------------------------- ray, sandbox


def test_a_missing_ray_is_reported_and_does_not_fail_doctor(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    code, checks = doctor(capsys, "--check", "ray")
    assert code == 0
    assert checks["ray"] == {
        "name": "ray",
        "ok": False,
        "detail": "not installed: batches on Ray workers (run --tasks FILE --workers N) "
        "are unavailable",
        "hint": "install the cluster extra: pip install -e '.[cluster]' (make setup does)",
        "required": False,
    }


def test_the_sandbox_check_fails_without_its_runtime(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("verify.sandbox.runtime_path", lambda: tmp_path / "python.wasm")
    code, checks = doctor(capsys, "--check", "sandbox")
    assert code == 1
    assert not checks["sandbox"]["ok"]
    assert "make setup" in checks["sandbox"]["detail"]
