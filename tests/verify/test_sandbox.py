"""The sandbox, attacked: each test tries one way out of it, or one way to fake a pass.

Every test runs real code on the real CPython WASI runtime under wasmtime.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify.checks import beyond_sandbox
from verify.runtime import install_runtime
from verify.sandbox import Limits, RunVerdict, Sandbox, TestVerdict

ROOT = Path(__file__).resolve().parents[2]

DOUBLE = '''\
def double(x):
    """Twice x."""
    y = x * 2
    return y
'''


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox for the module, with limits small enough to keep failing tests quick."""
    install_runtime()
    with Sandbox.open(Limits(fuel=2_000_000_000, seconds=5.0)) as box:
        yield box


@pytest.fixture(scope="module")
def clock_sandbox() -> Iterator[Sandbox]:
    """A sandbox that only the wall clock can stop: fuel for hours, one second of time."""
    install_runtime()
    with Sandbox.open(Limits(fuel=10**15, seconds=1.0)) as box:
        yield box


def only(verdict: RunVerdict) -> TestVerdict:
    assert len(verdict.tests) == 1
    return verdict.tests[0]


# --- no files -------------------------------------------------------------------------------


def test_a_file_of_the_host_cannot_be_read(sandbox: Sandbox, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    test = only(sandbox.run("", [f"assert open({str(secret)!r}).read() == 'top secret'"]))
    assert (test.outcome, test.got) == ("error", None)
    assert test.error.startswith("FileNotFoundError")


def test_no_file_can_be_written_anywhere(sandbox: Sandbox, tmp_path: Path) -> None:
    targets = [tmp_path / "written.txt", Path("/tmp") / f"sandbox-{tmp_path.name}.txt"]
    tests = [f"open({str(t)!r}, 'w').write('x')" for t in targets]
    tests += ["open('relative.txt', 'w').write('x')", "import os; os.mkdir('/made')"]
    tests += ["import os; os.write(3, b'x')"]  # no descriptor beyond stdin, stdout, stderr
    verdict = sandbox.run("", tests)
    assert [t.outcome for t in verdict.tests] == ["error"] * 5
    assert all(t.error.startswith(("FileNotFoundError", "OSError")) for t in verdict.tests)
    assert not any(t.exists() for t in targets)
    assert not Path("relative.txt").exists()


def test_the_file_system_is_empty(sandbox: Sandbox) -> None:
    test = only(sandbox.run("import os", ["os.listdir('/')"]))
    assert test.outcome == "error"
    assert test.error.startswith("FileNotFoundError")


# --- no network, no processes, no environment -----------------------------------------------


def test_no_connection_reaches_a_port_the_host_listens_on(sandbox: Sandbox) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        verdict = sandbox.run(
            "import socket",
            [
                f"s = socket.socket(); s.connect(('127.0.0.1', {port}))",
                f"socket.create_connection(('127.0.0.1', {port}), timeout=1)",
            ],
        )
        server.settimeout(0.5)
        with pytest.raises(TimeoutError):
            server.accept()
    assert [t.outcome for t in verdict.tests] == ["error", "error"]


@pytest.mark.parametrize(
    "attempt",
    [
        "import os; os.system('echo escaped')",
        "import subprocess; subprocess.run(['echo', 'escaped'])",
        "import os; os.fork()",
        "import os; os.execv('/bin/echo', ['echo', 'escaped'])",
        "import os; os.posix_spawn('/bin/echo', ['echo', 'escaped'], {})",
    ],
)
def test_no_process_can_be_started(sandbox: Sandbox, attempt: str) -> None:
    verdict = sandbox.run("", [attempt])
    assert only(verdict).outcome == "error"
    assert "escaped" not in verdict.output


def test_no_environment_variable_of_the_host_leaks(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPERCODER_SANDBOX_PROBE", "leaked")
    verdict = sandbox.run(
        "import os",
        [
            "assert os.environ.get('SUPERCODER_SANDBOX_PROBE') == 'leaked'",
            "assert len(os.environ) == 0",
        ],
    )
    probe, empty = verdict.tests
    assert (probe.outcome, probe.got) == ("failed", "None")
    assert empty.outcome == "passed"


# --- limits ---------------------------------------------------------------------------------


def test_an_endless_loop_runs_out_of_fuel_and_the_next_test_still_runs(sandbox: Sandbox) -> None:
    verdict = sandbox.run(DOUBLE, ["while True: pass", "assert double(2) == 4"])
    loop, after = verdict.tests
    assert loop.outcome == "timeout"
    assert "fuel" in loop.error
    assert after.outcome == "passed"
    assert not verdict.passed


def test_a_sleep_ends_at_the_wall_clock_limit(clock_sandbox: Sandbox) -> None:
    verdict = clock_sandbox.run(DOUBLE, ["import time; time.sleep(100)", "assert double(1) == 2"])
    sleep, after = verdict.tests
    assert sleep.outcome == "timeout"
    assert "wall-clock" in sleep.error
    assert after.outcome == "passed"
    assert verdict.seconds < 10


def test_a_busy_loop_with_fuel_to_spare_ends_at_the_wall_clock_limit(
    clock_sandbox: Sandbox,
) -> None:
    verdict = clock_sandbox.run("", ["while True: pass"])
    assert only(verdict).outcome == "timeout"
    assert "wall-clock" in only(verdict).error
    assert verdict.seconds < 10


def test_code_that_no_longer_loads_on_a_fresh_instance_leaves_the_rest_not_run(
    clock_sandbox: Sandbox,
) -> None:
    too_late = time.time() + 0.5  # after the first instance has loaded, before the second
    code = f"import time\nif time.time() > {too_late}:\n    raise ValueError('too late')\n"
    verdict = clock_sandbox.run(code, ["import time; time.sleep(100)", "assert True"])
    sleep, rest = verdict.tests
    assert (verdict.status, sleep.outcome, rest.outcome) == ("ok", "timeout", "not_run")
    assert "did not load again" in rest.error
    assert "ValueError: too late" in rest.error


def test_a_loop_while_loading_times_the_run_out(sandbox: Sandbox) -> None:
    verdict = sandbox.run("while True:\n    pass\n", ["assert True"])
    assert verdict.status == "timeout"
    assert only(verdict).outcome == "not_run"
    assert not verdict.passed


def test_one_huge_allocation_is_reported_as_memory(sandbox: Sandbox) -> None:
    verdict = sandbox.run("", ["x = bytearray(1 << 30)", "assert 1 + 1 == 2"])
    big, after = verdict.tests
    assert (big.outcome, big.error) == ("memory", "MemoryError")
    assert after.outcome == "passed"


def test_growing_until_memory_runs_out_is_reported_as_memory(sandbox: Sandbox) -> None:
    verdict = sandbox.run("", ["xs = []\nwhile True:\n    xs.append(bytearray(1 << 20))"])
    assert only(verdict).outcome == "memory"


def test_running_out_of_memory_while_loading_sets_the_run_status(sandbox: Sandbox) -> None:
    verdict = sandbox.run("table = bytearray(1 << 30)\n", ["assert True"])
    assert (verdict.status, verdict.error) == ("memory", "MemoryError (line 1)")


def test_output_is_capped_at_the_limit(sandbox: Sandbox) -> None:
    verdict = sandbox.run("print('start')", ["print('x' * 10_000_000)", "assert True"])
    assert verdict.passed
    assert verdict.output.startswith("start\nxxx")
    assert len(verdict.output.encode("utf-8")) <= sandbox.limits.output_bytes


def test_bytes_that_are_not_text_are_capped_too(sandbox: Sandbox) -> None:
    verdict = sandbox.run("import os", ["os.write(2, b'\\xff' * 1_000_000)"])
    assert verdict.passed
    assert 0 < len(verdict.output.encode("utf-8")) <= sandbox.limits.output_bytes


def test_deep_recursion_is_an_ordinary_error(sandbox: Sandbox) -> None:
    code = "def down(n):\n    return down(n + 1)\n"
    test = only(sandbox.run(code, ["down(0)"]))
    assert test.outcome == "error"
    assert test.error.startswith("RecursionError: maximum recursion depth exceeded")
    assert test.line == 2


def test_overflowing_the_interpreters_own_stack_is_an_error_and_the_next_test_runs(
    sandbox: Sandbox,
) -> None:
    code = (
        "import sys\nsys.setrecursionlimit(10**6)\n"
        "def down(n):\n    return sorted([1], key=lambda _: down(n + 1))\n"
    )
    verdict = sandbox.run(code, ["down(0)", "assert 2 * 2 == 4"])
    overflow, after = verdict.tests
    assert overflow.outcome == "error"
    assert "stack" in overflow.error
    assert after.outcome == "passed"


# --- exits never pass -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exit_call", ["import sys; sys.exit(0)", "raise SystemExit", "import unittest; unittest.main()"]
)
def test_a_test_that_raises_system_exit_is_an_error(sandbox: Sandbox, exit_call: str) -> None:
    verdict = sandbox.run(DOUBLE, [exit_call, "assert double(3) == 6"])
    exited, after = verdict.tests
    assert exited.outcome == "error"
    assert exited.error.startswith("SystemExit")
    assert after.outcome == "passed"
    assert not verdict.passed


def test_a_test_that_ends_the_interpreter_is_an_error_and_the_rest_still_run(
    sandbox: Sandbox,
) -> None:
    verdict = sandbox.run(DOUBLE, ["import os; os._exit(0)", "assert double(3) == 6"])
    exited, after = verdict.tests
    assert exited.outcome == "error"
    assert "exited with status 0" in exited.error
    assert after.outcome == "passed"
    assert not verdict.passed


@pytest.mark.parametrize(
    "code",
    [
        "import sys\nsys.exit(0)\n",
        "import os\nos._exit(0)\n",
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_ok(self):\n        pass\n\n"
        "unittest.main()\n",
    ],
)
def test_code_that_exits_while_loading_does_not_pass(sandbox: Sandbox, code: str) -> None:
    verdict = sandbox.run(code, ["assert True"])
    assert verdict.status == "error"
    assert only(verdict).outcome == "not_run"
    assert not verdict.passed


def test_a_demo_main_block_does_not_run(sandbox: Sandbox) -> None:
    code = DOUBLE + "\nif __name__ == '__main__':\n    print('demo')\n    raise SystemExit(1)\n"
    verdict = sandbox.run(code, ["assert double(4) == 8"])
    assert verdict.passed
    assert "demo" not in verdict.output


# --- what a verdict reports -------------------------------------------------------------------


def test_a_syntax_error_in_the_code_gives_status_error_with_its_line(sandbox: Sandbox) -> None:
    verdict = sandbox.run("def ok():\n    return 1\n\ndef broken(:\n    pass\n", ["assert True"])
    assert verdict.status == "error"
    assert verdict.error == "SyntaxError: invalid syntax (line 4)"
    assert not verdict.passed


def test_an_exception_in_a_test_gives_its_last_line_and_the_line_in_the_code(
    sandbox: Sandbox,
) -> None:
    code = "def ratio(a, b):\n    total = a + b\n    return a / (total - total)\n"
    test = only(sandbox.run(code, ["ratio(1, 2)"]))
    assert (test.outcome, test.error, test.line) == (
        "error",
        "ZeroDivisionError: division by zero",
        3,
    )


def test_a_failed_equality_reports_expected_and_got(sandbox: Sandbox) -> None:
    test = only(sandbox.run(DOUBLE, ["assert double(2) == 5"]))
    assert (test.outcome, test.expected, test.got, test.error) == (
        "failed",
        "5",
        "4",
        "AssertionError",
    )


def test_a_passing_equality_reports_what_it_got(sandbox: Sandbox) -> None:
    test = only(sandbox.run(DOUBLE, ["n = 3\nassert double(n) == 6"]))
    assert (test.outcome, test.expected, test.got) == ("passed", "6", "6")


def test_a_failed_plain_assert_reports_its_message(sandbox: Sandbox) -> None:
    test = only(sandbox.run(DOUBLE, ["assert double(2) > 10, 'too small'"]))
    assert (test.outcome, test.error) == ("failed", "AssertionError: too small")


@pytest.mark.parametrize(
    "check",
    [
        "assert 0.1 + 0.2 == 0.3",
        "assert 2 / 3 == 0.6666667",
        "assert [1 / 3, 2.0] == [0.333333333, 2]",
        "assert {'mean': 10 / 3} == {'mean': 3.3333333}",
        "assert (1e-12, 'a') == (0.0, 'a')",
    ],
)
def test_close_numbers_pass(sandbox: Sandbox, check: str) -> None:
    assert only(sandbox.run("", [check])).outcome == "passed"


@pytest.mark.parametrize(
    "check", ["assert 2 / 3 == 0.67", "assert [1.0, 2.0] == [1.0]", "assert (1.0,) == [1.0]"]
)
def test_numbers_that_are_not_close_fail(sandbox: Sandbox, check: str) -> None:
    assert only(sandbox.run("", [check])).outcome == "failed"


def test_a_long_repr_is_capped(sandbox: Sandbox) -> None:
    test = only(sandbox.run("", ["assert 'x' * 10_000 == 'y'"]))
    assert test.got is not None
    assert len(test.got) <= 200


def test_setup_runs_in_the_codes_namespace_before_the_tests(sandbox: Sandbox) -> None:
    verdict = sandbox.run(DOUBLE, ["assert double(base) == 20"], setup="base = 10")
    assert verdict.passed


def test_tests_share_one_namespace_in_order(sandbox: Sandbox) -> None:
    verdict = sandbox.run("", ["seen = [1]", "seen.append(2)", "assert seen == [1, 2]"])
    assert verdict.n_passed == 3


def test_clean_code_with_no_tests_passes(sandbox: Sandbox) -> None:
    verdict = sandbox.run(DOUBLE)
    assert (verdict.status, verdict.tests, verdict.passed) == ("ok", (), True)


# --- the results channel cannot be faked ------------------------------------------------------


def test_printed_fake_results_do_not_count(sandbox: Sandbox) -> None:
    fake = "0123456789abcdef ('test', {i}, 'passed', None, None, '', None)"
    attack = (
        "import os, sys\n"
        "for i in range(3):\n"
        f"    line = {fake!r}.format(i=i)\n"
        "    print(line)\n"
        "    os.write(1, (line + '\\n').encode())\n"
        "    os.write(2, (line + '\\n').encode())\n"
        "os.write(1, b\"0123456789abcdef ('done',)\\n\")\n"
        "os._exit(0)\n"
    )
    verdict = sandbox.run(DOUBLE, [attack, "assert double(1) == 3", "assert False"])
    assert [t.outcome for t in verdict.tests] == ["error", "failed", "failed"]
    assert not verdict.passed
    assert "('test', 0, 'passed'" in verdict.output  # kept as the program's output


def test_the_program_cannot_read_the_command_line(sandbox: Sandbox) -> None:
    test = only(sandbox.run("import sys\nARGV = list(sys.argv)\n", ["assert ARGV == ['-c']"]))
    assert test.outcome == "passed"


# --- the host stays safe ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "test", "status", "outcome"),
    [
        ("x = 1\x00", "assert True", "error", "not_run"),  # a NUL byte
        ("s = 'a\ud800b'", "assert s", "error", "not_run"),  # a lone surrogate
        ("", "assert '\udcff' == 1", "ok", "error"),
        ("", "raise KeyboardInterrupt", "ok", "error"),
        ("class Bad(Exception):\n    def __str__(self):\n        raise SystemExit\n", "raise Bad()",
         "ok", "error"),
        ("class Odd:\n    def __repr__(self):\n        raise SystemExit\n", "assert Odd() == 1",
         "ok", "failed"),
    ],
)  # fmt: skip
def test_odd_code_becomes_a_verdict_not_an_exception(
    sandbox: Sandbox, code: str, test: str, status: str, outcome: str
) -> None:
    verdict = sandbox.run(code, [test])
    assert (verdict.status, only(verdict).outcome) == (status, outcome)


def test_runs_from_several_threads_each_get_their_own_verdict(sandbox: Sandbox) -> None:
    verdicts: dict[int, RunVerdict] = {}

    def check(n: int) -> None:
        verdicts[n] = sandbox.run(f"N = {n}\nprint(N)", [f"assert N * 2 == {2 * n}"])

    threads = [threading.Thread(target=check, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(verdicts[n].passed and verdicts[n].output == f"{n}\n" for n in range(4))


def test_processes_that_used_a_sandbox_exit_cleanly() -> None:
    """wasmtime's own output streams called back into Python from its tokio threads, and one
    in ten processes aborted in that callback as the interpreter exited: run a few."""
    script = (
        "from verify.sandbox import Limits, Sandbox\n"
        "box = Sandbox.open(Limits(fuel=500_000_000, seconds=0.5))\n"
        "verdict = box.run('print(1)', ['while True: pass', 'import time; time.sleep(5)'])\n"
        "print([t.outcome for t in verdict.tests])\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    ended = [(p.communicate(timeout=60), p.returncode) for p in processes]  # all, then judge
    for (stdout, stderr), returncode in ended:
        assert (returncode, stdout) == (0, "['timeout', 'timeout']\n")
        assert "panicked" not in stderr


def test_a_closed_sandbox_refuses_to_run() -> None:
    box = Sandbox.open()
    box.close()
    with pytest.raises(RuntimeError, match="closed"):
        box.run("")


# --- verdicts as data -------------------------------------------------------------------------


def test_a_verdict_survives_a_round_trip_through_a_dict(sandbox: Sandbox) -> None:
    verdict = sandbox.run(DOUBLE, ["assert double(2) == 5", "1 / 0", "assert True"])
    assert RunVerdict.from_dict(verdict.to_dict()) == verdict


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown test outcome"):
        TestVerdict.from_dict({"source": "assert True", "outcome": "maybe"})


CTRL_C_CHILD = """
import sys, time
from verify.sandbox import Limits, Sandbox
with Sandbox.open(Limits(fuel=10**13, seconds=60)) as box:
    print("running", flush=True)
    started = time.monotonic()
    try:
        box.run("x = 1\\n", ["while True: pass"])
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - started:.1f}", flush=True)
        sys.exit(130)
"""


def test_ctrl_c_interrupts_a_run_at_once_not_at_its_time_limit() -> None:
    import signal

    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_CHILD],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "running"
    time.sleep(1.0)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 130
    assert float(out.split()[-1]) < 10  # the wall-clock limit was 60 s


def test_a_signal_whose_handler_returns_does_not_cost_a_test_its_verdict(
    sandbox: Sandbox,
) -> None:
    import os
    import signal

    received: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda number, _: received.append(number))
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1))
    busy = "import time\nstart = time.monotonic()\nwhile time.monotonic() - start < 1.0:\n    pass"
    try:
        timer.start()
        verdict = sandbox.run(DOUBLE, [busy, "assert double(2) == 4"])
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGUSR1, previous)
    assert received == [signal.SIGUSR1]
    assert [t.outcome for t in verdict.tests] == ["passed", "passed"]


# --- what the sandbox withholds is told apart from a mistake of the code --------------------


@pytest.mark.parametrize(
    "test",
    [
        "import yaml",
        "open('config.yaml').read()",
        "import socket; socket.create_connection(('127.0.0.1', 80))",
        "import subprocess; subprocess.run(['ls'])",
        "import os; os.system('ls')",
    ],
)
def test_reaching_for_what_the_sandbox_withholds_is_recognised(sandbox: Sandbox, test: str) -> None:
    verdict = only(sandbox.run("x = 1\n", [test]))
    assert verdict.outcome == "error"
    assert beyond_sandbox(verdict.error), verdict.error


@pytest.mark.parametrize("test", ["1 / 0", "undefined_name", "import math; math.tau2"])
def test_a_mistake_is_not_taken_for_a_missing_capability(sandbox: Sandbox, test: str) -> None:
    verdict = only(sandbox.run("x = 1\n", [test]))
    assert verdict.outcome == "error"
    assert not beyond_sandbox(verdict.error), verdict.error
