"""B104 (hardcoded_bind_all_interfaces): the literal ``"0.0.0.0"``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B104"
CASES: tuple[Case, ...] = (
    case(
        "socket bound to every interface",
        "import socket",
        "server = socket.socket()",
        "server.bind(('0.0.0.0', 8080))",
        verifier=((3, "SC607", WARNING),),
        bandit=(3,),
    ),
    case(
        "flask run on every interface",
        "app.run(host='0.0.0.0')",
        verifier=((1, "SC607", WARNING),),
        bandit=(1,),
    ),
    case(
        "default host constant", "HOST = '0.0.0.0'", verifier=((1, "SC607", WARNING),), bandit=(1,)
    ),
    case("loopback", "server.bind(('127.0.0.1', 8080))"),
    case("docstring mentioning it", "def serve():", "    '''0.0.0.0'''", "    return None"),
    case("another address", "HOST = '10.0.0.1'"),
)
