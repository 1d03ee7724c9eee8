"""The benchmark sandbox on real subprocesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.harness import sandbox
from benchmarks.harness.sandbox import ExecutionResult, Limits, check_program, run_program

FAST = Limits(timeout_s=3.0, cpu_s=5)

ADD = "def add(a, b):\n"
TEST = "def check(candidate):\n    assert candidate(2, 3) == 5\n"


def test_a_correct_solution_passes() -> None:
    result = run_program(check_program(ADD + "    return a + b\n", TEST, "add"), FAST)
    assert result.status == "passed"


def test_a_wrong_solution_fails_with_its_assertion() -> None:
    result = run_program(check_program(ADD + "    return a - b\n", TEST, "add"), FAST)
    assert result.status == "failed"
    assert "AssertionError" in result.error_tail


WRONG_ADD = ADD + "    return a - b\n"
EARLY_EXITS = {
    "sys.exit": "import sys\nsys.exit(0)\n",
    "os._exit": "import os\nos._exit(0)\n",
    "unittest.main": (
        "import unittest\n\n"
        "class TestAdd(unittest.TestCase):\n"
        "    def test_zero(self):\n"
        "        self.assertEqual(add(0, 0), 0)\n\n"
        "if __name__ == '__main__':\n"
        "    unittest.main()\n"
    ),
}


@pytest.mark.parametrize("exit_code", EARLY_EXITS.values(), ids=EARLY_EXITS.keys())
def test_a_completion_that_exits_with_status_0_before_check_fails(exit_code: str) -> None:
    result = run_program(check_program(WRONG_ADD + exit_code, TEST, "add"), FAST)
    assert result.status == "failed"
    assert "before the end of the program" in result.error_tail


def test_a_program_that_replaces_sys_stdout_still_passes_when_it_runs_to_its_end() -> None:
    program = "import io, sys\nsys.stdout = io.StringIO()\nprint('swallowed')\n"
    assert run_program(program, FAST).status == "passed"


def test_every_run_draws_a_new_end_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens: list[str] = []
    original = sandbox.with_end_marker

    def spy(source: str, token: str) -> str:
        tokens.append(token)
        return original(source, token)

    monkeypatch.setattr(sandbox, "with_end_marker", spy)
    outcomes = [run_program("pass\n", FAST).status for _ in range(2)]
    assert outcomes == ["passed", "passed"]
    assert len(set(tokens)) == 2


def test_an_infinite_loop_times_out() -> None:
    result = run_program("while True:\n    pass\n", Limits(timeout_s=1.0, cpu_s=5))
    assert result.status == "timeout"
    assert result.seconds < 5.0


def test_a_sleeping_child_process_does_not_outlive_the_timeout() -> None:
    program = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "while True:\n    pass\n"
    )
    result = run_program(program, Limits(timeout_s=1.0, cpu_s=5))
    assert result.status == "timeout"
    assert result.seconds < 5.0


def test_a_memory_bomb_is_stopped_by_the_address_space_limit() -> None:
    result = run_program("block = bytearray(4 * 1024 ** 3)\n", FAST)
    assert result.status == "failed"
    assert "MemoryError" in result.error_tail


def test_writes_land_in_a_temporary_directory_that_is_removed() -> None:
    program = (
        "from pathlib import Path\n"
        "Path('artifact.txt').write_text('x')\n"
        "raise SystemExit(str(Path('artifact.txt').resolve()))\n"
    )
    result = run_program(program, FAST)
    written = Path(result.error_tail.strip().splitlines()[-1])
    assert written.name == "artifact.txt"
    assert not written.exists()
    assert not written.parent.exists()


def test_the_callers_directory_is_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_program("open('artifact.txt', 'w').write('x')\n", FAST)
    assert list(tmp_path.iterdir()) == []


def test_the_environment_is_minimal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_SECRET", "s3cret")
    result = run_program("import os\nassert 'SANDBOX_SECRET' not in os.environ\n", FAST)
    assert result.status == "passed"


def test_a_large_file_write_is_stopped_by_the_file_size_limit() -> None:
    limits = Limits(timeout_s=3.0, cpu_s=5, file_bytes=1 << 20)
    result = run_program("open('big', 'wb').write(b'x' * (4 << 20))\n", limits)
    assert result.status == "failed"


def test_an_execution_result_round_trips_through_a_dict() -> None:
    result = ExecutionResult("failed", 1.5, "Traceback")
    assert ExecutionResult.from_dict(result.to_dict()) == result
