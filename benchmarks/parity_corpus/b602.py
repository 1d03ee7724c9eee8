"""B602 (subprocess_popen_with_shell_equals_true): a subprocess call with ``shell`` on;
the verifier also resolves aliases that bandit reports as B604)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B602"
CASES: tuple[Case, ...] = (
    case(
        "Popen with a built command",
        "import subprocess",
        'subprocess.Popen("ls " + folder, shell=True)',
        verifier=((2, "SC207", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "every subprocess function",
        "import subprocess",
        "subprocess.call(cmd, shell=True)",
        "subprocess.check_call(cmd, shell=True)",
        "subprocess.check_output(cmd, shell=True)",
        "subprocess.run(cmd, shell=True)",
        verifier=tuple((line, "SC207", CRITICAL) for line in range(2, 6)),
        bandit=(2, 3, 4, 5),
    ),
    case(
        "module alias",
        "import subprocess as sp",
        'sp.run(f"grep {pattern} {path}", shell=True)',
        verifier=((2, "SC207", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from subprocess import check_output as sh",
        "out = sh(command, shell=True)",
        verifier=((2, "SC207", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "shell given as a truthy literal",
        "import subprocess",
        "subprocess.run(cmd, shell=1)",
        verifier=((2, "SC207", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "shell from a variable",
        "import subprocess",
        "subprocess.run(cmd, shell=use_shell)",
        verifier=((2, "SC207", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "shell keyword on its own line",
        "import subprocess",
        "subprocess.run(",
        "    cmd,",
        "    shell=True,",
        ")",
        verifier=((2, "SC207", CRITICAL),),
        bandit=(4,),
    ),
    case(
        "a function rebound to a name",
        "import subprocess",
        "runner = subprocess.Popen",
        "runner(cmd, shell=True)",
        verifier=((3, "SC207", CRITICAL),),
    ),
    case(
        "a literal command is still a shell (bandit: LOW)",
        "import subprocess",
        'subprocess.run("ls -l", shell=True)',
        verifier=((2, "SC207", CRITICAL),),
        bandit=(2,),
    ),
    case("shell off", "import subprocess", "subprocess.run(cmd, shell=False)"),
    case("an argument list", "import subprocess", 'subprocess.run(["ls", folder])'),
)
