"""B304 (ciphers): broken ciphers from PyCrypto, PyCryptodome and cryptography."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B304"
CASES: tuple[Case, ...] = (
    case(
        "DES",
        "from Crypto.Cipher import DES",
        "cipher = DES.new(key, DES.MODE_CBC, iv)",
        verifier=((2, "SC503", ERROR),),
        bandit=(2,),
    ),
    case(
        "ARC4 and Blowfish from Cryptodome",
        "from Cryptodome.Cipher import ARC4, Blowfish",
        "a = ARC4.new(key)",
        "b = Blowfish.new(key, Blowfish.MODE_CBC)",
        verifier=((2, "SC503", ERROR), (3, "SC503", ERROR)),
        bandit=(2, 3),
    ),
    case(
        "cryptography algorithms through an alias",
        "from cryptography.hazmat.primitives.ciphers import algorithms as alg",
        "cipher = alg.TripleDES(key)",
        verifier=((2, "SC503", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias of a cipher",
        "from cryptography.hazmat.primitives.ciphers.algorithms import ARC4 as RC4",
        "algorithm = RC4(key)",
        verifier=((2, "SC503", ERROR),),
        bandit=(2,),
    ),
    case("AES", "from Crypto.Cipher import AES", "cipher = AES.new(key, AES.MODE_GCM)"),
)
