"""B103 (set_bad_file_permissions): ``chmod`` with a mode others may write (HIGH) or
that lets the group write or others execute (MEDIUM)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, INFO, Case, case

BANDIT_ID = "B103"
CASES: tuple[Case, ...] = (
    case(
        "world-writable octal mode",
        "import os",
        "os.chmod(path, 0o777)",
        verifier=((2, "SC307", ERROR),),
        bandit=(2,),
    ),
    case(
        "world-writable decimal mode",
        "import os",
        "os.chmod(path, 438)",
        verifier=((2, "SC307", ERROR),),
        bandit=(2,),
    ),
    case(
        "group-writable mode is a note",
        "import os",
        "os.chmod(path, 0o775)",
        verifier=((2, "SC308", INFO),),
        bandit=(2,),
    ),
    case(
        "executable by others is a note",
        "import os",
        "os.chmod(script, 0o755)",
        verifier=((2, "SC308", INFO),),
        bandit=(2,),
    ),
    case(
        "stat flags (bandit cannot read them)",
        "import os",
        "import stat",
        "os.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)",
        verifier=((3, "SC307", ERROR),),
    ),
    case(
        "alias of os and of chmod",
        "import os as o",
        "from os import chmod as set_mode",
        "o.chmod(path, 0o777)",
        "set_mode(path, 0o666)",
        verifier=((3, "SC307", ERROR), (4, "SC307", ERROR)),
        bandit=(3, 4),
    ),
    case(
        "mode as a keyword (bandit reads positions only)",
        "import os",
        "os.chmod(path, mode=0o777)",
        verifier=((2, "SC307", ERROR),),
    ),
    case(
        "Path.chmod on a world-writable mode (bandit needs two arguments)",
        "from pathlib import Path",
        "Path(p).chmod(0o666)",
        verifier=((2, "SC307", ERROR),),
    ),
    case("owner-only mode", "import os", "os.chmod(path, 0o600)"),
    case("readable by all", "import os", "os.chmod(path, 0o644)"),
    case("computed mode", "import os", "os.chmod(path, mode)"),
)
