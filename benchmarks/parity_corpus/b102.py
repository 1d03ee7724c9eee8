"""B102 (exec_used): ``exec`` called, under any name that still means the builtin."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B102"
CASES: tuple[Case, ...] = (
    case("exec of a string", "exec(source)", verifier=((1, "SC102", CRITICAL),), bandit=(1,)),
    case(
        "exec inside a function",
        "def run(source):",
        "    exec(source, {})",
        verifier=((2, "SC102", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "builtins.exec through an import alias (bandit misses it)",
        "import builtins as b",
        "b.exec(source)",
        verifier=((2, "SC102", CRITICAL),),
    ),
    case(
        "exec rebound to another name (bandit misses it)",
        "run = exec",
        "run(source)",
        verifier=((2, "SC102", CRITICAL),),
    ),
    case("a method named exec", "cursor.exec(query)"),
    case(
        "a local function named exec (bandit flags it)",
        "def exec(x):",
        "    return x",
        "exec(1)",
        bandit=(3,),
    ),
)
