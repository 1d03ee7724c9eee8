"""B405 (import_xml_etree): importing ``xml.etree.ElementTree`` or ``cElementTree``; a note,
since the module also builds XML)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B405"
CASES: tuple[Case, ...] = (
    case(
        "import alias",
        "import xml.etree.ElementTree as ET",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "from-import of the module",
        "from xml.etree import cElementTree",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "from-import alias of a function",
        "from xml.etree.ElementTree import fromstring as parse_xml",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "import defusedxml.ElementTree as ET"),
    case("the xml package alone", "import xml"),
)
