"""User mistakes end as one line on stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from decoding.model_file import ModelFile
from orchestrator.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str | bytes, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "SUPERCODER_DATA_DIR": str(tmp_path / "data"), **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        cwd=tmp_path,
        env=environment,
        timeout=120,
        check=False,
    )


def assert_one_line_error(
    result: subprocess.CompletedProcess[bytes], code: int, expected: str
) -> None:
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == code, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert expected in lines[0]


@pytest.mark.parametrize("task", ["", "   "])
def test_empty_task(tmp_path: Path, task: str) -> None:
    assert_one_line_error(run_cli(task, tmp_path=tmp_path), 2, "the task is empty")


def test_task_that_is_not_utf8(tmp_path: Path) -> None:
    assert_one_line_error(run_cli(b"write \xff\xfe code", tmp_path=tmp_path), 2, "not valid UTF-8")


def test_stub_that_is_not_python(tmp_path: Path) -> None:
    stub = tmp_path / "stub.py"
    stub.write_text("def broken(:\n", encoding="utf-8")
    assert_one_line_error(
        run_cli("--stub", str(stub), "complete it", tmp_path=tmp_path), 2, "is not valid Python"
    )


def test_missing_stub_file(tmp_path: Path) -> None:
    assert_one_line_error(
        run_cli("--stub", "nope.py", "complete it", tmp_path=tmp_path), 2, "does not exist"
    )


def test_bad_yaml(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("decoding: [\n", encoding="utf-8")
    assert_one_line_error(
        run_cli("--config", str(config), "task", tmp_path=tmp_path), 2, "malformed YAML"
    )


def test_out_of_range_flag(tmp_path: Path) -> None:
    assert_one_line_error(
        run_cli("--beam-width", "0", "task", tmp_path=tmp_path), 2, "decoding.beam_width"
    )


def test_missing_model(tmp_path: Path) -> None:
    result = run_cli("--model", str(tmp_path / "none.gguf"), "task", tmp_path=tmp_path)
    assert_one_line_error(result, 1, "does not exist")


def test_corrupt_model(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"GGUF" + os.urandom(4096))
    assert_one_line_error(
        run_cli("--model", str(corrupt), "task", tmp_path=tmp_path), 1, "could not load"
    )


def test_model_from_environment_is_checked(tmp_path: Path) -> None:
    result = run_cli(
        "task", tmp_path=tmp_path, env={"SUPERCODER_MODEL": str(tmp_path / "env.gguf")}
    )
    assert_one_line_error(result, 1, "env.gguf does not exist")


def test_prompt_longer_than_the_context(tmp_path: Path) -> None:
    result = run_cli("-q", "--n-ctx", "256", "word " * 400, tmp_path=tmp_path)
    assert_one_line_error(result, 1, "the context holds 256")


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run_cli("task", tmp_path=tmp_path, env={"SUPERCODER_DATA_DIR": str(blocker / "data")})
    assert_one_line_error(result, 1, "SUPERCODER_DATA_DIR")


def test_out_file_exists_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out.py"
    out.write_text("keep me\n", encoding="utf-8")
    assert_one_line_error(run_cli("--out", str(out), "task", tmp_path=tmp_path), 2, "pass --force")
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_unknown_run_id(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("resume", "no-such-run", tmp_path=tmp_path), 1, "no run with id")


def test_tool_missing_from_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))  # nothing beside it
    monkeypatch.setenv("PATH", str(tmp_path))  # and nothing on PATH
    assert main(["doctor", "--json"]) == 1
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert not checks["ruff"]["ok"]
    assert "ruff is not installed" in checks["ruff"]["detail"]
    assert not checks["pyright"]["ok"]
    assert checks["lancedb"]["ok"]


def test_chat_template_asked_of_a_model_without_one(
    tmp_path: Path, small_model: ModelFile
) -> None:
    config = tmp_path / "chat.yaml"
    config.write_text("model:\n  use_chat_template: true\n", encoding="utf-8")
    result = run_cli(
        "-q", "--config", str(config), "--model", str(small_model.path), "task",
        tmp_path=tmp_path,
    )
    assert_one_line_error(result, 2, "has no chat template")
