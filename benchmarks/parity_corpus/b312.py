"""B312 (telnetlib): a ``telnetlib.Telnet`` connection."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B312"
CASES: tuple[Case, ...] = (
    case(
        "telnetlib.Telnet",
        "import telnetlib",
        "conn = telnetlib.Telnet(host)",
        verifier=((1, "SC610", WARNING), (2, "SC610", WARNING)),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from telnetlib import Telnet as Remote",
        "conn = Remote(host, 23)",
        verifier=((1, "SC610", WARNING), (2, "SC610", WARNING)),
        bandit=(2,),
    ),
    case("paramiko", "import paramiko", "client = paramiko.SSHClient()"),
)
