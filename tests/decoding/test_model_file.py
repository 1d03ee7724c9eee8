"""Model resolution: the embedded default, paths, and files that are not GGUF."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import load_settings
from decoding.embedded_model import QWEN_CODER_1_5B, cache_dir
from decoding.model_file import ModelFile, ModelFileError, resolve_model


def test_default_resolves_to_the_assembled_qwen_coder(default_model: ModelFile) -> None:
    assert default_model.path == cache_dir() / QWEN_CODER_1_5B.file_name
    assert default_model.size == QWEN_CODER_1_5B.size
    assert default_model.path.read_bytes()[:4] == b"GGUF"
    assert QWEN_CODER_1_5B.sha256.startswith(default_model.sha256_prefix)


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
