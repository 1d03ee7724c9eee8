"""B323 (unverified_context): ``ssl._create_unverified_context``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B323"
CASES: tuple[Case, ...] = (
    case(
        "the unverified context",
        "import ssl",
        "ctx = ssl._create_unverified_context()",
        verifier=((2, "SC604", ERROR),),
        bandit=(2,),
    ),
    case(
        "installed as the default for every connection (bandit sees calls only)",
        "import ssl",
        "ssl._create_default_https_context = ssl._create_unverified_context",
        verifier=((2, "SC604", ERROR),),
    ),
    case(
        "from-import alias",
        "from ssl import _create_unverified_context as insecure",
        "ctx = insecure()",
        verifier=((2, "SC604", ERROR),),
        bandit=(2,),
    ),
    case("the default context", "import ssl", "ctx = ssl.create_default_context()"),
)
