"""B401 (import_telnetlib): importing ``telnetlib``)."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import WARNING, Case, assert_verifier, case, case_id

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


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b401(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
