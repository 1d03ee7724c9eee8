"""The layered settings loader and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.loader import load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load() -> None:
    settings = load_settings(environ={})
    assert settings.model.path == "default"
    assert settings.cycles.autonomous_execution is False


def test_file_overrides_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "decoding:\n  beam_width: 2\n"), environ={})
    assert settings.decoding.beam_width == 2
    assert settings.decoding.max_tokens == 256  # untouched keys keep their defaults


def test_environment_overrides_file(tmp_path: Path) -> None:
    config = write(tmp_path, "model:\n  path: /from/file.gguf\n")
    settings = load_settings(config, environ={"SUPERCODER_MODEL": "/from/env.gguf"})
    assert settings.model.path == "/from/env.gguf"


def test_flags_override_environment() -> None:
    settings = load_settings(
        environ={"SUPERCODER_MODEL": "/from/env.gguf"}, overrides={"model.path": "/from/flag.gguf"}
    )
    assert settings.model.path == "/from/flag.gguf"


def test_flag_not_given_changes_nothing() -> None:
    settings = load_settings(environ={}, overrides={"decoding.beam_width": None})
    assert settings.decoding.beam_width == 4


def test_auto_entropy_threshold_is_accepted(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "decoding:\n  entropy_threshold: auto\n"), environ={})
    assert settings.decoding.entropy_threshold == "auto"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("decoding:\n  beam_width: 0\n", "decoding.beam_width: Input should be greater than or equal to 1"),
        ("decoding:\n  beamwidth: 3\n", "unknown key 'decoding.beamwidth' (allowed: max_tokens"),
        ("modle:\n  path: x\n", "unknown key 'modle' (allowed: model, decoding"),
        ("decoding:\n  temperature: hot\n", "decoding.temperature: Input should be a valid number"),
        ("decoding:\n  entropy_threshold: -1\n", "decoding.entropy_threshold"),
        ("a: [\n", "malformed YAML at line 2"),
        ("- 1\n", "the top level must be a mapping of sections"),
        ("tools:\n  enable: [ruff, flake8]\n", "tools.enable.1"),
        ("cycles:\n  autonomous_execution: true\n", "autonomous_execution cannot be enabled"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    config = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_settings(config, environ={})
    message = raised.value.message
    assert expected in message
    assert str(config) in message
    assert "\n" not in message


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="environment variable SUPERCODER_N_GPU_LAYERS"):
        load_settings(environ={"SUPERCODER_N_GPU_LAYERS": "many"})


def test_bad_flag_value_names_the_option() -> None:
    with pytest.raises(ConfigError, match=r"command-line option for decoding\.beam_width"):
        load_settings(environ={}, overrides={"decoding.beam_width": -3})


def test_a_bad_flag_value_names_the_flag_and_the_key_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(
            environ={},
            overrides={"decoding.max_tokens": -5},
            flags={"decoding.max_tokens": "--max-tokens"},
        )
    assert raised.value.message.startswith("--max-tokens: Input should be greater than")
    assert raised.value.message.endswith("(got -5)")
    assert "max_tokens" not in raised.value.message


def test_a_bad_environment_value_names_its_key_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={"SUPERCODER_N_GPU_LAYERS": "many"})
    assert raised.value.message.count("n_gpu_layers") == 0
    assert raised.value.message.startswith("environment variable SUPERCODER_N_GPU_LAYERS: ")


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, ""), environ={}).decoding.beam_width == 4


def test_tools_active_excludes_disabled(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "tools:\n  disabled: [pyright]\n"), environ={})
    assert settings.tools.active() == ("ruff", "security", "completeness")
