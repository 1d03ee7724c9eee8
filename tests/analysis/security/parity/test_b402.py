"""B402 (import_ftplib): importing ``ftplib``)."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import WARNING, Case, assert_verifier, case, case_id

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


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b402(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
