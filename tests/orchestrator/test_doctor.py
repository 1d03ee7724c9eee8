"""``main.py doctor`` on a complete installation."""

from __future__ import annotations

import json

import pytest

from orchestrator.cli import main


def test_every_check_passes_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks) == {"python", "llama-cpp-python", "model", "ruff", "pyright", "lancedb"}
    assert all(c["ok"] for c in checks.values())
    assert "sha256 cc324af070c2" in checks["model"]["detail"]
    assert (
        "AVX2" in checks["llama-cpp-python"]["detail"]
        or "CPU" in checks["llama-cpp-python"]["detail"]
    )
