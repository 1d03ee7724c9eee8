"""B401 (import_telnetlib): importing ``telnetlib``)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B401"
CASES: tuple[Case, ...] = (
    case("import", "import telnetlib", verifier=((1, "SC610", WARNING),), bandit=(1,)),
    case(
        "import alias",
        "import telnetlib as tn",
        verifier=((1, "SC610", WARNING),),
        bandit=(1,),
    ),
    case(
        "from-import alias",
        "from telnetlib import Telnet as T",
        verifier=((1, "SC610", WARNING),),
        bandit=(1,),
    ),
    case("paramiko", "import paramiko"),
)
