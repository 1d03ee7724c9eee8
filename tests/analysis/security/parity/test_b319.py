"""B319 (xml_bad_pulldom): parsing with ``xml.dom.pulldom``."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import (
    WARNING,
    Case,
    assert_verifier,
    case,
    case_id,
)

BANDIT_ID = "B319"
CASES: tuple[Case, ...] = (
    case(
        "pulldom.parse",
        "from xml.dom import pulldom",
        "events = pulldom.parse(path)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias of parseString",
        "from xml.dom.pulldom import parseString as stream",
        "events = stream(text)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "defusedxml",
        "from defusedxml import pulldom",
        "events = pulldom.parse(path)",
    ),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b319(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
