"""B505 (weak_cryptographic_key): RSA/DSA keys under 2048 bits, EC curves under 224 bits)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B505"
CASES: tuple[Case, ...] = (
    case(
        "cryptography RSA",
        "from cryptography.hazmat.primitives.asymmetric import rsa",
        "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)",
        verifier=((2, "SC505", ERROR),),
        bandit=(2,),
    ),
    case(
        "cryptography DSA, positional size",
        "from cryptography.hazmat.primitives.asymmetric import dsa",
        "key = dsa.generate_private_key(1024)",
        verifier=((2, "SC505", ERROR),),
        bandit=(2,),
    ),
    case(
        "PyCryptodome RSA through an alias",
        "from Cryptodome.PublicKey import RSA as R",
        "key = R.generate(bits=1536)",
        verifier=((2, "SC505", ERROR),),
        bandit=(2,),
    ),
    case(
        "a weak EC curve as an attribute",
        "from cryptography.hazmat.primitives.asymmetric import ec",
        "key = ec.generate_private_key(curve=ec.SECP192R1)",
        verifier=((2, "SC505", ERROR),),
        bandit=(2,),
    ),
    case(
        "a weak EC curve instance (bandit cannot read it)",
        "from cryptography.hazmat.primitives.asymmetric import ec",
        "key = ec.generate_private_key(ec.SECT163K1())",
        verifier=((2, "SC505", ERROR),),
    ),
    case(
        "RSA 3072",
        "from cryptography.hazmat.primitives.asymmetric import rsa",
        "key = rsa.generate_private_key(public_exponent=65537, key_size=3072)",
    ),
    case(
        "P-256",
        "from cryptography.hazmat.primitives.asymmetric import ec",
        "key = ec.generate_private_key(ec.SECP256R1())",
    ),
)
