"""B407 (import_xml_expat): importing ``xml.dom.expatbuilder``; a note)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B407"
CASES: tuple[Case, ...] = (
    case(
        "import alias",
        "import xml.dom.expatbuilder as eb",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "from-import",
        "from xml.dom.expatbuilder import parse",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "from defusedxml import expatbuilder"),
)
