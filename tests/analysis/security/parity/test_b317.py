"""B317 (xml_bad_sax): parsing with ``xml.sax``."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import (
    WARNING,
    Case,
    assert_verifier,
    case,
    case_id,
)

BANDIT_ID = "B317"
CASES: tuple[Case, ...] = (
    case(
        "xml.sax.parseString",
        "import xml.sax",
        "xml.sax.parseString(text, handler)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "module alias, make_parser",
        "import xml.sax as sax",
        "parser = sax.make_parser()",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias of parse",
        "from xml.sax import parse as sax_parse",
        "sax_parse(path, handler)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "defusedxml",
        "import defusedxml.sax",
        "defusedxml.sax.parseString(text, handler)",
    ),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b317(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
