"""B306 (mktemp_q): ``tempfile.mktemp``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B306"
CASES: tuple[Case, ...] = (
    case(
        "tempfile.mktemp",
        "import tempfile",
        "name = tempfile.mktemp()",
        verifier=((2, "SC304", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from tempfile import mktemp as temp_name",
        "name = temp_name(suffix='.txt')",
        verifier=((2, "SC304", ERROR),),
        bandit=(2,),
    ),
    case("mkstemp", "import tempfile", "fd, name = tempfile.mkstemp()"),
)
