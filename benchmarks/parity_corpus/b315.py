"""B315 (xml_bad_expatreader): ``xml.sax.expatreader.create_parser``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

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
