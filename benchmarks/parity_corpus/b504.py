"""B504 (ssl_with_no_version): ``ssl.wrap_socket`` with no protocol; the verifier flags every
``ssl.wrap_socket``, which does not check certificates by default)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B504"
CASES: tuple[Case, ...] = (
    case(
        "no ssl_version",
        "import ssl",
        "s = ssl.wrap_socket(sock)",
        verifier=((2, "SC604", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from ssl import wrap_socket as secure",
        "s = secure(sock, certfile=path)",
        verifier=((2, "SC604", ERROR),),
        bandit=(2,),
    ),
    case(
        "a context wraps with verification",
        "import ssl",
        "ctx = ssl.create_default_context()",
        "s = ctx.wrap_socket(sock, server_hostname=host)",
    ),
)
