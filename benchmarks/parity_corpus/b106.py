"""B106 (hardcoded_password_funcarg): a literal passed to a password-like keyword."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B106"
CASES: tuple[Case, ...] = (
    case(
        "database connection",
        "import psycopg2",
        "conn = psycopg2.connect(user='admin', password='hunter2')",
        verifier=((2, "SC507", ERROR),),
        bandit=(2,),
    ),
    case(
        "keyword on its own line",
        "client = Client(",
        "    host,",
        "    passwd='hunter2',",
        ")",
        verifier=((1, "SC507", ERROR),),
        bandit=(3,),
    ),
    case(
        "dict() keywords",
        "creds = dict(user='admin', secret='hunter2')",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "an empty literal is still a password written in the code",
        "connect(host, password='')",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "a method call through an alias",
        "import smtplib as mail",
        "mail.SMTP(host).login(user, pwd='hunter2')",
        verifier=((2, "SC507", ERROR),),
        bandit=(2,),
    ),
    case(
        "a token keyword (bandit flags it; not a secret name here)",
        "parse(token='(')",
        bandit=(1,),
    ),
    case("a computed password", "connect(host, password=get_password())"),
    case("a non-secret keyword", "connect(host, user='admin')"),
)
