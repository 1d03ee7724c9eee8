"""B312 (telnetlib): a ``telnetlib.Telnet`` connection."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import WARNING, Case, assert_verifier, case, case_id

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


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b312(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
