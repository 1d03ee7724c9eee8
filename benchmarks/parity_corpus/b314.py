"""B314 (xml_bad_ElementTree): parsing with ``xml.etree.ElementTree``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

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
