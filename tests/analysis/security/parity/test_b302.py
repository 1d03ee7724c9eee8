"""B302 (marshal): ``marshal.load`` / ``marshal.loads``."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import CRITICAL, Case, assert_verifier, case, case_id

BANDIT_ID = "B302"
CASES: tuple[Case, ...] = (
    case(
        "marshal.loads",
        "import marshal",
        "code = marshal.loads(blob)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "from-import alias of load",
        "from marshal import load as read_code",
        "code = read_code(handle)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case("marshal.dumps", "import marshal", "blob = marshal.dumps(code)"),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b302(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
