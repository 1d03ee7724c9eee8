"""B302 (marshal): ``marshal.load`` / ``marshal.loads``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B302"
CASES: tuple[Case, ...] = (
    case(
        "marshal.loads",
        "import marshal",
        "code = marshal.loads(blob)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "from-import alias of load",
        "from marshal import load as read_code",
        "code = read_code(handle)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case("marshal.dumps", "import marshal", "blob = marshal.dumps(code)"),
)
