"""B324 (hashlib): MD4/MD5/SHA-1 from hashlib, directly or through ``hashlib.new``,
unless ``usedforsecurity=False``; a fast digest of a password is the worse finding."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, WARNING, Case, case

BANDIT_ID = "B324"
CASES: tuple[Case, ...] = (
    case(
        "hashlib.md5",
        "import hashlib",
        "digest = hashlib.md5(data).hexdigest()",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "hashlib.sha1 with no data",
        "import hashlib",
        "h = hashlib.sha1()",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "hashlib.new with a weak name",
        "import hashlib",
        "a = hashlib.new('md5', data)",
        "b = hashlib.new('SHA1')",
        "c = hashlib.new(name='md4')",
        verifier=((2, "SC501", WARNING), (3, "SC501", WARNING), (4, "SC501", WARNING)),
        bandit=(2, 3, 4),
    ),
    case(
        "usedforsecurity=True",
        "import hashlib",
        "h = hashlib.md5(data, usedforsecurity=True)",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from hashlib import md5 as checksum",
        "value = checksum(data).digest()",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "module alias and attribute chain",
        "import hashlib as hl",
        "value = hl.sha1(data).hexdigest()",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "a password hashed with MD5",
        "import hashlib",
        "stored = hashlib.md5(password.encode()).hexdigest()",
        verifier=((2, "SC502", ERROR),),
        bandit=(2,),
    ),
    case(
        "crypt with the MD5 method",
        "import crypt",
        "salt = crypt.mksalt(crypt.METHOD_MD5)",
        "hashed = crypt.crypt(word, crypt.METHOD_CRYPT)",
        verifier=((2, "SC502", ERROR), (3, "SC502", ERROR)),
        bandit=(2, 3),
    ),
    case(
        "crypt with bcrypt (bandit flags it; bcrypt is a slow password hash)",
        "import crypt",
        "salt = crypt.mksalt(crypt.METHOD_BLOWFISH)",
        bandit=(2,),
    ),
    case(
        "a checksum, declared so",
        "import hashlib",
        "h = hashlib.md5(data, usedforsecurity=False)",
        "g = hashlib.new('sha1', data, usedforsecurity=False)",
    ),
    case("SHA-256", "import hashlib", "h = hashlib.sha256(data)"),
    case("hashlib.new with a strong name", "import hashlib", "h = hashlib.new('sha512')"),
)
