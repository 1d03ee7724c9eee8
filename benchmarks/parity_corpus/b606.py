"""B606 (start_process_with_no_shell): ``os.exec*``, ``os.spawn*``, ``os.startfile``)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B606"
CASES: tuple[Case, ...] = (
    case(
        "os.execv",
        "import os",
        "os.execv(path, args)",
        verifier=((2, "SC206", ERROR),),
        bandit=(2,),
    ),
    case(
        "os.spawnlp through an alias",
        "import os as system",
        'system.spawnlp(system.P_WAIT, "ls", "ls")',
        verifier=((2, "SC206", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from os import startfile as open_with_default_app",
        "open_with_default_app(path)",
        verifier=((2, "SC206", ERROR),),
        bandit=(2,),
    ),
    case(
        "posix_spawn (bandit does not know it)",
        "import os",
        "os.posix_spawn(path, args, env)",
        verifier=((2, "SC206", ERROR),),
    ),
    case("os.getpid", "import os", "pid = os.getpid()"),
)
