"""B406 (import_xml_sax): importing ``xml.sax``; a note)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B406"
CASES: tuple[Case, ...] = (
    case("import", "import xml.sax", verifier=((1, "SC615", INFO),), bandit=(1,)),
    case(
        "from-import alias",
        "from xml.sax import make_parser as parser_factory",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case(
        "a submodule",
        "from xml.sax.saxutils import escape",
        verifier=((1, "SC615", INFO),),
        bandit=(1,),
    ),
    case("defusedxml", "import defusedxml.sax"),
)
