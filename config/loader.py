"""Load :class:`~config.settings.Settings` from the layered sources.

Precedence: packaged defaults < ``--config FILE`` < environment < command-line
flags. Each layer is validated as it is applied, so an error names the source
that caused it (the file, the variable or the flag) in one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.errors import ConfigError
from config.settings import Settings

DEFAULT_CONFIG = Path(__file__).with_name("default.yaml")

#: Environment variables and the setting each one sets.
ENV_KEYS: dict[str, str] = {
    "SUPERCODER_MODEL": "model.path",
    "SUPERCODER_N_GPU_LAYERS": "model.n_gpu_layers",
    "SUPERCODER_MEMORY_PATH": "memory.path",
}


def load_settings(
    config_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
) -> Settings:
    """Return the validated settings for these sources, or raise ``ConfigError``.

    ``overrides`` maps dotted keys (``"decoding.beam_width"``) to values from
    the command line; ``None`` values are ignored (flag not given). ``flags``
    names the flag that gave each key (``"--beam-width"``), for the error.
    """
    data = _read_yaml(DEFAULT_CONFIG)
    settings = _validate(data, f"built-in defaults {DEFAULT_CONFIG}")
    if config_file is not None:
        _deep_merge(data, _read_yaml(config_file))
        settings = _validate(data, str(config_file))
    env = os.environ if environ is None else environ
    for var, key in ENV_KEYS.items():
        if var in env:
            _set_dotted(data, key, env[var], source=f"environment variable {var}")
            settings = _validate(data, f"environment variable {var}", about=key)
    for key, value in (overrides or {}).items():
        if value is not None:
            source = (flags or {}).get(key) or f"command-line option for {key}"
            _set_dotted(data, key, value, source=source)
            settings = _validate(data, source, about=key)
    return settings


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise ConfigError(f"config file {path}: malformed YAML{where}: {problem}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(
            f"config file {path}: the top level must be a mapping of sections "
            f"(model, decoding, sabs, cycles, tools, memory), got {type(loaded).__name__}"
        )
    return loaded


def _validate(data: dict[str, Any], source: str, *, about: str | None = None) -> Settings:
    """``about``: the key ``source`` set, which its error need not name again."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc, about=about)}") from None


def _describe(exc: ValidationError, *, about: str | None = None) -> str:
    """The first validation error as 'key: what is allowed (got value)', without the key when
    it is ``about`` (the source named it already)."""
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = error["loc"][:-1]
        allowed = _allowed_keys(parent)
        return f"unknown key {key!r} (allowed: {', '.join(allowed)})"
    if key == "cycles.autonomous_execution":
        return (
            "cycles.autonomous_execution cannot be enabled: generated code is never "
            "executed by the pipeline"
        )
    message = f"{error['msg']} (got {error.get('input')!r})"
    return message if key == about else f"{key}: {message}"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: Any = Settings
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None or field.annotation is None:
            return []
        model = field.annotation
    return list(model.model_fields) if hasattr(model, "model_fields") else []


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


def _set_dotted(data: dict[str, Any], key: str, value: Any, *, source: str) -> None:
    section, _, name = key.partition(".")
    if not name:
        raise ConfigError(f"{source}: {key!r} is not a section.key name")
    target = data.setdefault(section, {})
    if not isinstance(target, dict):
        raise ConfigError(f"{source}: section {section!r} is not a mapping")
    target[name] = value
