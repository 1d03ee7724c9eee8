"""The policy built from the sabs settings."""

from __future__ import annotations

import pytest

from analysis.findings import Severity
from analysis.security import Policy, scan
from config.errors import ConfigError
from config.settings import SabsSettings


def test_disabled_check_is_not_reported() -> None:
    policy = Policy.from_settings(SabsSettings.model_validate({"disabled_checks": ["SC201"]}))
    assert {i.id for i in scan("import subprocess", policy)} == set()


def test_severity_override_applies() -> None:
    policy = Policy.from_settings(
        SabsSettings.model_validate({"severity_overrides": {"SC201": "ERROR"}})
    )
    assert scan("import subprocess", policy)[0].severity is Severity.ERROR


def test_other_checks_keep_their_severity_under_override() -> None:
    policy = Policy.from_settings(
        SabsSettings.model_validate({"severity_overrides": {"SC201": "INFO"}})
    )
    assert scan("eval(x)", policy)[0].severity is Severity.CRITICAL


def test_unknown_check_id_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SC999"):
        Policy.from_settings(SabsSettings.model_validate({"disabled_checks": ["SC999"]}))


def test_default_settings_give_the_default_policy() -> None:
    assert Policy.from_settings(SabsSettings.model_validate({})) == Policy()
