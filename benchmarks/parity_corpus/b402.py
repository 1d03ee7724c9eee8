"""B402 (import_ftplib): importing ``ftplib``)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B402"
CASES: tuple[Case, ...] = (
    case("import", "import ftplib", verifier=((1, "SC610", WARNING),), bandit=(1,)),
    case(
        "from-import alias",
        "from ftplib import FTP as F",
        verifier=((1, "SC610", WARNING),),
        bandit=(1,),
    ),
    case("sftp through paramiko", "from paramiko import SFTPClient"),
)
