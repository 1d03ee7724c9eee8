"""Every default has one source, the settings model; the others follow it."""

from __future__ import annotations

import inspect

import yaml

from config.loader import DEFAULT_CONFIG
from config.settings import SabsSettings, Settings


def test_default_yaml_holds_the_models_defaults() -> None:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert set(data) == set(Settings.model_fields)
    assert Settings.model_validate(data) == Settings()


def test_sabs_config_defaults_are_the_sabs_settings_defaults() -> None:
    from decoding.sabs import SABSConfig

    assert SABSConfig() == SABSConfig.from_settings(SabsSettings())


def test_generate_takes_its_sabs_defaults_from_the_settings() -> None:
    from decoding.generator import Generator

    parameters = inspect.signature(Generator.generate).parameters
    assert parameters["security_lambda"].default == SabsSettings().lambda_weight
    assert parameters["max_rewinds"].default == SabsSettings().max_rewinds
