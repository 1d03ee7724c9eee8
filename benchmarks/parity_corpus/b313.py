"""B313 (xml_bad_cElementTree): parsing with ``xml.etree.cElementTree``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B313"
CASES: tuple[Case, ...] = (
    case(
        "cElementTree.parse",
        "import xml.etree.cElementTree as ET",
        "tree = ET.parse(path)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias of fromstring",
        "from xml.etree.cElementTree import fromstring as load_xml",
        "root = load_xml(text)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "full attribute chain, iterparse",
        "import xml.etree.cElementTree",
        "events = xml.etree.cElementTree.iterparse(path)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "building XML is no parse",
        "import xml.etree.cElementTree as ET",
        'node = ET.Element("item")',
    ),
)
