"""B404 (import_subprocess): importing ``subprocess``)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B404"
CASES: tuple[Case, ...] = (
    case("import", "import subprocess", verifier=((1, "SC201", INFO),), bandit=(1,)),
    case(
        "import alias",
        "import subprocess as sp",
        verifier=((1, "SC201", INFO),),
        bandit=(1,),
    ),
    case(
        "from-import alias",
        "from subprocess import run as execute",
        verifier=((1, "SC201", INFO),),
        bandit=(1,),
    ),
    case("a module with a similar name", "import subprocess_tee_helpers", bandit=(1,)),
    case("shlex", "import shlex"),
)
