"""B603 (subprocess_without_shell_equals_true): a subprocess call without a shell)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B603"
CASES: tuple[Case, ...] = (
    case(
        "run with a list",
        "import subprocess",
        'subprocess.run(["ls", "-l"], check=True)',
        verifier=((2, "SC208", WARNING),),
        bandit=(2,),
    ),
    case(
        "shell=False",
        "import subprocess as sp",
        "sp.Popen(args, shell=False)",
        verifier=((2, "SC208", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from subprocess import check_call as call_tool",
        "call_tool(args)",
        verifier=((2, "SC208", WARNING),),
        bandit=(2,),
    ),
    case("with a shell it is B602", "import subprocess", "subprocess.run(cmd, shell=True)"),
    case("os.path", "import os", "os.path.exists(path)"),
)
