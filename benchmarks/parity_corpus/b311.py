"""B311 (random): the random module. A finding (ERROR) where the value is a token,
key, password or session id; a note (INFO) anywhere else, a game say."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, INFO, Case, case

BANDIT_ID = "B311"
CASES: tuple[Case, ...] = (
    case(
        "a token",
        "import random",
        "token = random.getrandbits(128)",
        verifier=((2, "SC506", ERROR),),
        bandit=(2,),
    ),
    case(
        "a session id returned by a function",
        "import random",
        "def getSessionID():",
        "    return random.randint(0, 0xFFFFFFFF)",
        verifier=((3, "SC506", ERROR),),
        bandit=(3,),
    ),
    case(
        "a password from choice",
        "import random",
        "import string",
        "def make_password(n):",
        "    return ''.join(random.choice(string.ascii_letters) for _ in range(n))",
        verifier=((4, "SC506", ERROR),),
        bandit=(4,),
    ),
    case(
        "a random string",
        "import random",
        "def generateRandomString(length):",
        "    return ''.join(random.choices('abc', k=length))",
        verifier=((3, "SC506", ERROR),),
        bandit=(3,),
    ),
    case(
        "a key in a method of a generator class",
        "import random",
        "class KeyMaker:",
        "    def make(self):",
        "        return random.randbytes(16)",
        verifier=((4, "SC506", ERROR),),
        bandit=(4,),
    ),
    case(
        "passed as a secret-named keyword",
        "import random",
        "user = User(name, otp=random.randrange(10**6))",
        verifier=((2, "SC506", ERROR),),
        bandit=(2,),
    ),
    case(
        "stored under a literal key",
        "import random",
        "session['csrf_token'] = random.random()",
        verifier=((2, "SC506", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from random import randint as pick",
        "reset_code_pin = pick(1000, 9999)",
        verifier=((2, "SC506", ERROR),),
        bandit=(2,),
    ),
    case(
        "module alias and a Random instance",
        "import random as rnd",
        "rng = rnd.Random()",
        "api_key = rng.getrandbits(64)",
        verifier=((2, "SC510", INFO), (3, "SC506", ERROR)),
        bandit=(2,),
    ),
    case(
        "dice in a game are only a note",
        "import random",
        "def roll_dice():",
        "    return random.randint(1, 6)",
        verifier=((3, "SC510", INFO),),
        bandit=(3,),
    ),
    case(
        "shuffling a deck is only a note (bandit ignores shuffle)",
        "import random",
        "def deal(deck):",
        "    random.shuffle(deck)",
        "    return deck[:5]",
        verifier=((3, "SC510", INFO),),
    ),
    case(
        "a simulation is only a note",
        "import random",
        "samples = [random.uniform(0, 1) for _ in range(100)]",
        "walk = random.triangular(0, 1, 0.5)",
        verifier=((2, "SC510", INFO), (3, "SC510", INFO)),
        bandit=(2, 3),
    ),
    case(
        "a monkey is not a key",
        "import random",
        "monkey = random.choice(zoo)",
        verifier=((2, "SC510", INFO),),
        bandit=(2,),
    ),
    case("secrets", "import secrets", "token = secrets.token_hex(16)"),
    case("SystemRandom", "import random", "token = random.SystemRandom().getrandbits(128)"),
)
