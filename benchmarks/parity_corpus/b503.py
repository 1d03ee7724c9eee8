"""B503 (ssl_with_bad_defaults): a function whose default protocol is a broken version)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B503"
CASES: tuple[Case, ...] = (
    case(
        "ssl default",
        "import ssl",
        "def open_tls(sock, version=ssl.PROTOCOL_SSLv3):",
        "    return version",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "pyOpenSSL default through an alias",
        "from OpenSSL import SSL as ossl",
        "def context(method=ossl.TLSv1_METHOD):",
        "    return ossl.Context(method)",
        verifier=((2, "SC509", ERROR),),
        bandit=(2,),
    ),
    case(
        "a bare name default (bandit resolves imported names only)",
        "def context(method=PROTOCOL_TLSv1):",
        "    return method",
        verifier=((1, "SC509", ERROR),),
    ),
    case(
        "a strong default",
        "import ssl",
        "def context(protocol=ssl.PROTOCOL_TLS_CLIENT):",
        "    return ssl.SSLContext(protocol)",
    ),
)
