"""B604 (any_other_function_with_shell_equals_true): ``shell=True`` passed to some other
function)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, WARNING, Case, case

BANDIT_ID = "B604"
CASES: tuple[Case, ...] = (
    case(
        "a wrapper function",
        "def deploy(host):",
        '    return run_remote(host, "make install", shell=True)',
        verifier=((2, "SC210", WARNING),),
        bandit=(2,),
    ),
    case(
        "a method of an unknown object",
        "runner.execute(cmd, shell=True)",
        verifier=((1, "SC210", WARNING),),
        bandit=(1,),
    ),
    case(
        "subprocess reached through a rebound module (the verifier resolves it: B602)",
        "import subprocess",
        "sp = subprocess",
        "sp.Popen(cmd, shell=True)",
        verifier=((3, "SC207", CRITICAL),),
        bandit=(3,),
    ),
    case("shell off", "runner.execute(cmd, shell=False)"),
    case("no shell keyword", "runner.execute(cmd)"),
)
