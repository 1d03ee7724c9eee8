"""B317 (xml_bad_sax): parsing with ``xml.sax``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B317"
CASES: tuple[Case, ...] = (
    case(
        "xml.sax.parseString",
        "import xml.sax",
        "xml.sax.parseString(text, handler)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "module alias, make_parser",
        "import xml.sax as sax",
        "parser = sax.make_parser()",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias of parse",
        "from xml.sax import parse as sax_parse",
        "sax_parse(path, handler)",
        verifier=((2, "SC605", WARNING),),
        bandit=(2,),
    ),
    case(
        "defusedxml",
        "import defusedxml.sax",
        "defusedxml.sax.parseString(text, handler)",
    ),
)
