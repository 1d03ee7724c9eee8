"""B318 (xml_bad_minidom): parsing with ``xml.dom.minidom``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B318"
CASES: tuple[Case, ...] = (
    case(
        "minidom.parseString",
        "from xml.dom import minidom",
        "doc = minidom.parseString(text)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "attribute chain",
        "import xml.dom.minidom",
        "doc = xml.dom.minidom.parse(path)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from xml.dom.minidom import parse as read_dom",
        "doc = read_dom(path)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "building a document",
        "from xml.dom import minidom",
        "doc = minidom.Document()",
    ),
)
