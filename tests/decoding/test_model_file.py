"""Model resolution: the default package, paths, and files that are not GGUF."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import load_settings
from decoding.model_file import ModelFile, ModelFileError, resolve_model


def test_default_resolves_to_the_packaged_gguf(default_model: ModelFile) -> None:
    assert default_model.path.name == "gemma-3-270m-q4_k_m.gguf"
    assert default_model.path.read_bytes()[:4] == b"GGUF"
    assert default_model.sha256_prefix == "a5fd3b62230a"


def test_explicit_path_is_used(default_model: ModelFile) -> None:
    assert resolve_model(str(default_model.path)).path == default_model.path


def test_environment_variable_selects_the_model(default_model: ModelFile) -> None:
    settings = load_settings(environ={"SUPERCODER_MODEL": str(default_model.path)})
    assert resolve_model(settings.model.path).path == default_model.path


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        resolve_model(str(tmp_path / "missing.gguf"))


def test_non_gguf_file_is_rejected_before_llama_cpp(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelFileError, match="not a GGUF file"):
        resolve_model(str(fake))


def test_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="not a file"):
        resolve_model(str(tmp_path))


def test_sha256_prefix_is_cached_beside_the_file(tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 100)
    first = resolve_model(str(model)).sha256_prefix
    assert (tmp_path / "tiny.gguf.sha256.json").exists()
    assert resolve_model(str(model)).sha256_prefix == first
