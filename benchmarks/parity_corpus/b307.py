"""B307 (eval): ``eval``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B307"
CASES: tuple[Case, ...] = (
    case("eval of input", "value = eval(input())", verifier=((1, "SC101", CRITICAL),), bandit=(1,)),
    case(
        "eval in a return",
        "def calc(expr):",
        "    return eval(expr, {'__builtins__': {}})",
        verifier=((2, "SC101", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "builtins.eval through an alias (bandit misses it)",
        "import builtins as b",
        "b.eval(expr)",
        verifier=((2, "SC101", CRITICAL),),
    ),
    case("literal_eval", "import ast", "value = ast.literal_eval(text)"),
    case("a method named eval", "model.eval()"),
)
