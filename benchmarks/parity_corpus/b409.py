"""B409 (import_xml_pulldom): importing ``xml.dom.pulldom``; a note)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B409"
CASES: tuple[Case, ...] = (
    case(
        "from-import of the module",
        "from xml.dom import pulldom",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "import alias",
        "import xml.dom.pulldom as pd",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "from defusedxml import pulldom"),
)
