"""B502 (ssl_with_bad_version): SSLv2/SSLv3/TLS 1.0/1.1 chosen as the protocol)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B502"
CASES: tuple[Case, ...] = (
    case(
        "ssl.wrap_socket with TLS 1.0",
        "import ssl",
        "s = ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLSv1)",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "pyOpenSSL context with SSLv3",
        "from OpenSSL import SSL",
        "ctx = SSL.Context(method=SSL.SSLv3_METHOD)",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "SSLv23_METHOD",
        "from OpenSSL import SSL",
        "ctx = SSL.Context(method=SSL.SSLv23_METHOD)",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "any function given a weak ssl_version",
        "import ssl",
        "conn = connect(host, ssl_version=ssl.PROTOCOL_SSLv2)",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "a from-imported constant, flagged at its import (bandit misses the alias)",
        "from ssl import PROTOCOL_TLSv1_1 as OLD",
        "conn = connect(host, ssl_version=OLD)",
        verifier=((1, "SC509", ERROR),),
    ),
    case(
        "a constant read from an unknown object",
        "def open_channel(SSL, sock):",
        "    return SSL.Connection(SSL.Context(method=SSL.TLSv1_METHOD), sock)",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "SSLContext with a positional protocol (bandit reads keywords only)",
        "import ssl",
        "ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)",
        verifier=((2, "SC509", ERROR),),
    ),
    case(
        "a minimum version of TLS 1.0 (bandit does not know it)",
        "import ssl",
        "ctx = ssl.create_default_context()",
        "ctx.minimum_version = ssl.TLSVersion.TLSv1",
        verifier=((3, "SC509", ERROR),),
    ),
    case(
        "TLS client protocol",
        "import ssl",
        "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
        "ctx.minimum_version = ssl.TLSVersion.TLSv1_2",
    ),
    case(
        "TLS 1.2 in pyOpenSSL",
        "from OpenSSL import SSL",
        "ctx = SSL.Context(method=SSL.TLSv1_2_METHOD)",
    ),
)
