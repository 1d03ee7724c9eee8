"""B107 (hardcoded_password_default): a literal default for a password-like parameter."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B107"
CASES: tuple[Case, ...] = (
    case(
        "positional default",
        "def login(user, password='admin'):",
        "    return user, password",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "default of an async method",
        "class Client:",
        "    async def connect(self, host, secret='hunter2'):",
        "        return host",
        verifier=((2, "SC507", ERROR),),
    ),
    case(
        "keyword-only default (bandit reads positional ones only)",
        "def login(user, *, passwd='admin'):",
        "    return user",
        verifier=((1, "SC507", ERROR),),
    ),
    case("None default", "def login(user, password=None):", "    return user"),
    case("non-secret default", "def greet(name='world'):", "    return name"),
)
