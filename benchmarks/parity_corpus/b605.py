"""B605 (start_process_with_a_shell): ``os.system``, ``os.popen`` and other shell launchers)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B605"
CASES: tuple[Case, ...] = (
    case(
        "os.system with a built command",
        "import os",
        'os.system("rm -rf " + folder)',
        verifier=((2, "SC205", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "os.popen through a module alias",
        "import os as o",
        "out = o.popen(cmd).read()",
        verifier=((2, "SC205", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from os import system as shell",
        "shell(cmd)",
        verifier=((2, "SC205", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "subprocess.getoutput",
        "import subprocess",
        'out = subprocess.getoutput(f"ping {host}")',
        verifier=((2, "SC205", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "a literal command is still a shell (bandit: LOW)",
        "import os",
        'os.system("clear")',
        verifier=((2, "SC205", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "asyncio shell (bandit does not know it)",
        "import asyncio",
        "async def run(cmd):",
        "    return await asyncio.create_subprocess_shell(cmd)",
        verifier=((3, "SC205", CRITICAL),),
    ),
    case("os.path.join", "import os", "path = os.path.join(a, b)"),
)
