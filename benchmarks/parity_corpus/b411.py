"""B411 (import_xmlrpclib): importing ``xmlrpc``, whose servers and clients parse XML from the
network)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B411"
CASES: tuple[Case, ...] = (
    case(
        "the client",
        "import xmlrpc.client",
        verifier=((1, "SC605", WARNING),),
        bandit=(1,),
    ),
    case(
        "a server class",
        "from xmlrpc.server import SimpleXMLRPCServer",
        verifier=((1, "SC605", WARNING),),
        bandit=(1,),
    ),
    case(
        "from-import alias of the package",
        "from xmlrpc import client as rpc",
        verifier=((1, "SC605", WARNING),),
        bandit=(1,),
    ),
    case("defusedxml", "import defusedxml.xmlrpc"),
)
