"""B105 (hardcoded_password_string): a literal bound to, keyed by or compared with a
password-like name."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B105"
CASES: tuple[Case, ...] = (
    case(
        "assigned to a name", "password = 'hunter2'", verifier=((1, "SC507", ERROR),), bandit=(1,)
    ),
    case(
        "assigned to an attribute",
        "config.db_password = 'hunter2'",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "annotated assignment (bandit reads plain assignments only)",
        "passwd: str = 'hunter2'",
        verifier=((1, "SC507", ERROR),),
    ),
    case(
        "a key of a dict literal",
        "settings = {",
        "    'user': 'admin',",
        "    'password': 'hunter2',",
        "}",
        verifier=((3, "SC507", ERROR),),
        bandit=(3,),
    ),
    case(
        "an empty password in a settings dict",
        "DATABASES = {'default': {'USER': 'app', 'PASSWORD': ''}}",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "a literal subscript key",
        "config['secret'] = 'hunter2'",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "compared with a name",
        "def login(password):",
        "    return password == 'admin'",
        verifier=((2, "SC507", ERROR),),
        bandit=(2,),
    ),
    case(
        "compared with an attribute",
        "if user.pwd == 'letmein':",
        "    grant()",
        verifier=((1, "SC507", ERROR),),
        bandit=(1,),
    ),
    case(
        "the literal on the left (bandit reads the right only)",
        "if 'admin' == password:",
        "    grant()",
        verifier=((1, "SC507", ERROR),),
    ),
    case(
        "a lexer's token is not a secret (bandit flags it)",
        "token = '('",
        bandit=(1,),
    ),
    case("read at run time", "import os", "password = os.environ['DB_PASSWORD']"),
    case("an empty placeholder (bandit flags it)", "password = ''", bandit=(1,)),
    case("a dict key with a computed value", "settings = {'password': read_secret()}"),
)
