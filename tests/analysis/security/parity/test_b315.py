"""B315 (xml_bad_expatreader): ``xml.sax.expatreader.create_parser``."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import (
    WARNING,
    Case,
    assert_verifier,
    case,
    case_id,
)

BANDIT_ID = "B315"
CASES: tuple[Case, ...] = (
    case(
        "create_parser",
        "import xml.sax.expatreader",
        "parser = xml.sax.expatreader.create_parser()",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from xml.sax.expatreader import create_parser as new_parser",
        "parser = new_parser()",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "defusedxml",
        "from defusedxml.expatreader import create_parser",
        "parser = create_parser()",
    ),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b315(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
