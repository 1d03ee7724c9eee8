"""B319 (xml_bad_pulldom): parsing with ``xml.dom.pulldom``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

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
