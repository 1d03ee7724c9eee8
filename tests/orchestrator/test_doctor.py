"""``main.py doctor`` on a complete installation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.cli import main


def test_every_check_passes_here(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks) == {
        "python", "llama-cpp-python", "model", "ruff", "pyright", "lancedb", "sandbox"
    }
    assert all(c["ok"] for c in checks.values())
    assert "sha256 cc324af070c2" in checks["model"]["detail"]
    assert (
        "AVX2" in checks["llama-cpp-python"]["detail"]
        or "CPU" in checks["llama-cpp-python"]["detail"]
    )


def test_the_sandbox_check_fails_without_its_runtime(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("verify.sandbox.runtime_path", lambda: tmp_path / "python.wasm")
    assert main(["doctor", "--json"]) == 1
    sandbox = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}["sandbox"]
    assert not sandbox["ok"]
    assert "make setup" in sandbox["detail"]
