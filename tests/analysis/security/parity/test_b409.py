"""B409 (import_xml_pulldom): importing ``xml.dom.pulldom``; a note)."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import INFO, Case, assert_verifier, case, case_id

BANDIT_ID = "B409"
CASES: tuple[Case, ...] = (
    case(
        "from-import of the module",
        "from xml.dom import pulldom",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "import alias",
        "import xml.dom.pulldom as pd",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "from defusedxml import pulldom"),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b409(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
