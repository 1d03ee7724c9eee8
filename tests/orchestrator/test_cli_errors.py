"""Bad input ends as one line on stderr, exit code 2, no traceback and no run left behind."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from decoding.model_file import ModelFile
from orchestrator.cli import main
from orchestrator.runs import list_runs, open_checkpointer
from tests.orchestrator.commands import one_error_line, run_cli


def assert_no_run_left(data: Path) -> None:
    if (data / "runs.sqlite").exists():
        with open_checkpointer(data) as saver:
            assert list_runs(saver) == []


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Broken files of every kind, in the folder the CLI runs in."""
    files = {
        "bad.yaml": "decoding: [\n",
        "ok.yaml": "memory:\n  embedder: hash\n",
        "list.yaml": "- model\n",
        "unknown.yaml": "decoding:\n  beam_wdith: 2\n",
        "type.yaml": "decoding:\n  beam_width: wide\n",
        "autonomous.yaml": "cycles:\n  autonomous_execution: true\n",
        "broken_stub.py": "def broken(:\n",
        "empty_stub.py": "   \n",
        "text.gguf": "not a model\n",
        "bad.jsonl": '{"task": "x"\n',
        "list.jsonl": "[1, 2]\n",
        "no_task.jsonl": '{"stub": "def f():\\n    pass\\n"}\n',
        "empty.jsonl": "\n\n",
        "exists.py": "keep me\n",
        "broken_tests.py": "assert f(1 ==\n",
        "no_tests.py": "import math\nx = 1\n",
        "ok_tests.py": "assert add(1, 2) == 3\n",
        "bad_name.json": '{"function_name": "1f", "parameters": [], "return_type": "int"}',
        "bad_example.json": (
            '{"function_name": "f", "parameters": [{"name": "a", "type": "int"}], '
            '"return_type": "int", "examples": [{"input": {"z": 1}, "output": 2}]}'
        ),
        "not_json.json": "{",
        "bad_tests.jsonl": '{"task": "x", "tests": "assert (\\n"}\n',
        "a_file": "x",
        "one.jsonl": '{"id": "exists", "task": "Write a function that adds two numbers"}\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1_stub.py").write_bytes(b"# caf\xe9\n")
    (tmp_path / "nul_stub.py").write_bytes(b"def f():\n    return 1\x00\n")
    (tmp_path / "empty.gguf").write_bytes(b"")
    (tmp_path / "corrupt.gguf").write_bytes(b"GGUF" + os.urandom(4096))
    (tmp_path / "folder").mkdir()
    return tmp_path


BAD_INPUTS: list[tuple[str, list[str], dict[str, str], str]] = [
    ("empty task", [""], {}, "the task is empty"),
    ("blank task", ["   "], {}, "the task is empty"),
    ("malformed YAML", ["--config", "bad.yaml", "a task"], {}, "malformed YAML"),
    ("YAML that is a list", ["--config", "list.yaml", "a task"], {}, "must be a mapping"),
    ("unknown YAML key", ["--config", "unknown.yaml", "a task"], {}, "unknown key"),
    ("wrong YAML type", ["--config", "type.yaml", "a task"], {}, "decoding.beam_width"),
    ("autonomous execution", ["--config", "autonomous.yaml", "a task"], {}, "cannot be enabled"),
    ("missing config file", ["--config", "none.yaml", "a task"], {}, "does not exist"),
    ("out-of-range flag", ["--beam-width", "0", "a task"], {}, "--beam-width: Input should"),
    ("flag of the wrong type", ["--beam-width", "wide", "a task"], {}, "invalid int value"),
    ("unknown flag", ["run", "--frobnicate", "a task"], {}, "unrecognized arguments"),
    ("bad entropy threshold", ["--entropy-threshold", "high", "a task"], {}, '"auto"'),
    ("stub that is not Python", ["--stub", "broken_stub.py", "a task"], {}, "is not valid Python"),
    ("empty stub", ["--stub", "empty_stub.py", "a task"], {}, "is empty"),
    ("stub that is not UTF-8", ["--stub", "latin1_stub.py", "a task"], {}, "is not UTF-8"),
    ("missing stub", ["--stub", "nope.py", "a task"], {}, "does not exist"),
    ("stub that is a folder", ["--stub", "folder", "a task"], {}, "cannot be read"),
    (
        "stub with a NUL byte",
        ["--stub", "nul_stub.py", "a task"],
        {},
        "nul_stub.py is not valid Python: line 2: source code string cannot contain null bytes",
    ),
    ("negative --max-tokens", ["--max-tokens", "-5", "a task"], {}, "error: --max-tokens: Input"),
    ("mistyped command", ["lst"], {}, "unknown command 'lst': did you mean `episodes list`?"),
    ("one-word task", ["fibonacci"], {}, "give it as `main.py run fibonacci`"),
    ("one-word task after flags", ["-q", "--max-tokens", "5", "lst"], {}, "`episodes list`"),
    ("missing model", ["--model", "none.gguf", "a task"], {}, "does not exist"),
    ("empty model file", ["--model", "empty.gguf", "a task"], {}, "is not a GGUF file"),
    ("model that is text", ["--model", "text.gguf", "a task"], {}, "is not a GGUF file"),
    ("corrupt model", ["--model", "corrupt.gguf", "a task"], {}, "could not load"),
    (
        "missing model from the environment",
        ["a task"],
        {"SUPERCODER_MODEL": "env.gguf"},
        "env.gguf",
    ),
    ("task file that is not JSON", ["run", "--tasks", "bad.jsonl"], {}, "not valid JSON"),
    ("task file of lists", ["run", "--tasks", "list.jsonl"], {}, '"task" string'),
    ("task file without a task", ["run", "--tasks", "no_task.jsonl"], {}, '"task" string'),
    ("empty task file", ["run", "--tasks", "empty.jsonl"], {}, "holds no tasks"),
    ("task and task file", ["run", "--tasks", "empty.jsonl", "a task"], {}, "not both"),
    ("tests that are not Python", ["--tests", "broken_tests.py", "a task"], {}, "line 1"),
    ("tests file with no test", ["--tests", "no_tests.py", "a task"], {}, "no tests found"),
    ("missing tests file", ["--tests", "none.py", "a task"], {}, "does not exist"),
    (
        "tests without the sandbox",
        ["--no-verify", "--tests", "ok_tests.py", "a task"],
        {},
        "--no-verify",
    ),
    ("spec with a bad name", ["--spec", "bad_name.json"], {}, "function_name"),
    ("spec with an unknown input", ["--spec", "bad_example.json"], {}, "examples[0].input"),
    ("spec that is not JSON", ["--spec", "not_json.json"], {}, "invalid JSON"),
    ("spec and stub", ["--spec", "bad_name.json", "--stub", "ok_tests.py"], {}, "not both"),
    ("task file with broken tests", ["run", "--tasks", "bad_tests.jsonl"], {}, "tests: line 1"),
    ("--out under /proc", ["--out", "/proc/x.py", "a task"], {}, "cannot write a file there"),
    ("--out that is a folder", ["--out", "folder", "a task"], {}, "is a directory"),
    ("--out in a missing folder", ["--out", "none/x.py", "a task"], {}, "cannot write"),
    ("--out that exists", ["--out", "exists.py", "a task"], {}, "pass --force"),
    ("unwritable SABS log", ["--sabs-log", "/proc/s.jsonl", "a task"], {}, "the SABS log"),
    (
        "--out-dir that is a file",
        ["run", "--tasks", "one.jsonl", "--out-dir", "a_file"],
        {},
        "--out-dir a_file is not a folder",
    ),
    (
        "--out-dir under /proc",
        ["run", "--tasks", "one.jsonl", "--out-dir", "/proc/out"],
        {},
        "cannot write files there",
    ),
    (
        "--out-dir in a missing folder",
        ["run", "--tasks", "one.jsonl", "--out-dir", "none/out"],
        {},
        "cannot write files there",
    ),
    (
        "--out-dir over a file the batch did not write",
        ["run", "--tasks", "one.jsonl", "--out-dir", "."],
        {},
        "holds exists.py, which this batch did not write; pass --force",
    ),
    ("--out-dir without a task file", ["--out-dir", "folder", "a task"], {}, "--tasks FILE"),
    (
        "--out with a task file",
        ["run", "--tasks", "one.jsonl", "--out", "x.py"],
        {},
        "--out-dir DIR",
    ),
    ("data folder that is a file", ["a task"], {"SUPERCODER_DATA_DIR": "a_file"}, "DATA_DIR"),
    ("data folder under a file", ["runs"], {"SUPERCODER_DATA_DIR": "a_file/d"}, "DATA_DIR"),
    ("unknown run", ["resume", "no-such-run"], {}, "no run with id"),
    ("resume with a new config", ["resume", "x", "--config", "ok.yaml"], {}, "started with"),
    ("unknown episode", ["episodes", "show", "nope"], {}, "no episode has id"),
    ("review without a decision", ["review", "some-id"], {}, "--approve or --reject"),
    ("review without a terminal", ["review"], {}, "needs a terminal"),
    ("export under /proc", ["export", "--format", "sft", "--out", "/proc/x.jsonl"], {}, "/proc"),
    ("export of an unknown format", ["export", "--format", "csv", "--out", "x"], {}, "invalid"),
]


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_one_line_and_leaves_no_run(
    inputs: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    environment = {
        key: str(inputs / value) if key != "SUPERCODER_MODEL" else value
        for key, value in env.items()
    }
    result = run_cli(*args, tmp_path=inputs, env=environment)
    assert expected in one_error_line(result)
    assert (inputs / "exists.py").read_text(encoding="utf-8") == "keep me\n"
    assert_no_run_left(inputs / "data")


def test_a_mistyped_command_opens_nothing(tmp_path: Path) -> None:
    assert "did you mean `runs`?" in one_error_line(run_cli("rnus", tmp_path=tmp_path))
    assert not (tmp_path / "data").exists()


def test_run_takes_a_task_of_one_word(tmp_path: Path) -> None:
    result = run_cli("run", "fibonacci", "--model", "none.gguf", tmp_path=tmp_path)
    assert "model file none.gguf does not exist" in one_error_line(result)  # taken as a task


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--frobnicate", "a task"],
        ["lst"],
        ["--beam-width", "0", "a task"],
        ["run", "--tasks", "bad.jsonl"],
        ["episodes", "show", "nope"],
    ],
    ids=["argparse", "typo", "settings", "task file", "command"],
)
def test_an_error_under_json_is_a_json_document_too(inputs: Path, args: list[str]) -> None:
    result = run_cli("--json", *args, tmp_path=inputs)
    line = one_error_line(result)
    assert json.loads(result.stdout) == {"error": line.removeprefix("error: "), "exit_code": 2}


def test_task_that_is_not_utf8(tmp_path: Path) -> None:
    assert "not valid UTF-8" in one_error_line(run_cli(b"write \xff\xfe code", tmp_path=tmp_path))


def test_out_is_refused_before_anything_is_opened(tmp_path: Path) -> None:
    assert "/proc/x.py" in one_error_line(
        run_cli("--out", "/proc/x.py", "a task", tmp_path=tmp_path)
    )
    assert not (tmp_path / "data").exists()


@pytest.mark.model
def test_prompt_longer_than_the_context_leaves_no_run(tmp_path: Path) -> None:
    result = run_cli("-q", "--n-ctx", "256", "word " * 400, tmp_path=tmp_path)
    assert "the context holds 256" in one_error_line(result)
    assert_no_run_left(tmp_path / "data")


@pytest.mark.model
def test_a_prompt_too_long_is_refused_before_the_model_loads(tmp_path: Path) -> None:
    result = run_cli("x" * 50_000 + " of a task", tmp_path=tmp_path)
    assert "the context holds" in one_error_line(result)  # no "run ...:" line before it
    assert not (tmp_path / "data").exists()  # nor the run database, nor the store


@pytest.mark.model
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


@pytest.mark.model
def test_chat_template_asked_of_a_model_without_one(tmp_path: Path, small_model: ModelFile) -> None:
    config = tmp_path / "chat.yaml"
    config.write_text("model:\n  use_chat_template: true\n", encoding="utf-8")
    result = run_cli(
        "-q",
        "--config",
        str(config),
        "--model",
        str(small_model.path),
        "a task",
        tmp_path=tmp_path,
    )
    assert "has no chat template" in one_error_line(result)
    assert_no_run_left(tmp_path / "data")
