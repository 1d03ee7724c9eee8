"""B321 (ftplib): an ``ftplib.FTP`` connection."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B321"
CASES: tuple[Case, ...] = (
    case(
        "ftplib.FTP",
        "import ftplib",
        "ftp = ftplib.FTP(host)",
        verifier=((1, "SC610", WARNING), (2, "SC610", WARNING)),
        bandit=(2,),
    ),
    case(
        "from-import alias in a with block",
        "from ftplib import FTP as Server",
        "with Server(host) as ftp:",
        "    ftp.login(user, secret)",
        verifier=((1, "SC610", WARNING), (2, "SC610", WARNING)),
        bandit=(2,),
    ),
    case(
        "FTP over TLS is only the import",
        "from ftplib import FTP_TLS",
        "ftp = FTP_TLS(host)",
        verifier=((1, "SC610", WARNING),),
    ),
    case("SFTP", "import paramiko", "sftp = paramiko.SFTPClient.from_transport(transport)"),
)
