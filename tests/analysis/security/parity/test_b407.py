"""B407 (import_xml_expat): importing ``xml.dom.expatbuilder``; a note)."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import INFO, Case, assert_verifier, case, case_id

BANDIT_ID = "B407"
CASES: tuple[Case, ...] = (
    case(
        "import alias",
        "import xml.dom.expatbuilder as eb",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "from-import",
        "from xml.dom.expatbuilder import parse",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "from defusedxml import expatbuilder"),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b407(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
