"""B314 (xml_bad_ElementTree): parsing with ``xml.etree.ElementTree``."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import (
    WARNING,
    Case,
    assert_verifier,
    case,
    case_id,
)

BANDIT_ID = "B314"
CASES: tuple[Case, ...] = (
    case(
        "ElementTree.fromstring",
        "import xml.etree.ElementTree as ET",
        "root = ET.fromstring(text)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import of the module, XMLParser",
        "from xml.etree import ElementTree",
        "parser = ElementTree.XMLParser()",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias of parse in a function",
        "from xml.etree.ElementTree import parse as read",
        "def load(path):",
        "    return read(path).getroot()",
        verifier=((3, "SC605", WARNING),),
        bandit=(3,),
    ),
    case(
        "defusedxml",
        "import defusedxml.ElementTree as ET",
        "root = ET.fromstring(text)",
    ),
    case(
        "writing XML",
        "import xml.etree.ElementTree as ET",
        "text = ET.tostring(node)",
    ),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b314(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
