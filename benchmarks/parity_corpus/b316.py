"""B316 (xml_bad_expatbuilder): parsing with ``xml.dom.expatbuilder``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B316"
CASES: tuple[Case, ...] = (
    case(
        "expatbuilder.parse",
        "import xml.dom.expatbuilder as eb",
        "doc = eb.parse(path)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias of parseString",
        "from xml.dom.expatbuilder import parseString as load",
        "doc = load(text)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "defusedxml",
        "from defusedxml.expatbuilder import parseString",
        "doc = parseString(text)",
    ),
)
