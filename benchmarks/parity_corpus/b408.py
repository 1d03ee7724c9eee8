"""B408 (import_xml_minidom): importing ``xml.dom.minidom``; a note)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B408"
CASES: tuple[Case, ...] = (
    case(
        "from-import of the module",
        "from xml.dom import minidom",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "import alias",
        "import xml.dom.minidom as md",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "from-import alias",
        "from xml.dom.minidom import parseString as load",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "from defusedxml import minidom"),
)
