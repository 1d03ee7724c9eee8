"""B303 (md5): MD2/MD4/MD5/SHA-1 from PyCrypto, PyCryptodome and cryptography."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B303"
CASES: tuple[Case, ...] = (
    case(
        "Crypto.Hash.MD5",
        "from Crypto.Hash import MD5",
        "digest = MD5.new(data).hexdigest()",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "Cryptodome SHA and MD4",
        "from Cryptodome.Hash import SHA, MD4",
        "a = SHA.new(data)",
        "b = MD4.new(data)",
        verifier=((2, "SC501", WARNING), (3, "SC501", WARNING)),
        bandit=(2, 3),
    ),
    case(
        "cryptography hashes through a module alias",
        "from cryptography.hazmat.primitives import hashes as h",
        "digest = h.Hash(h.SHA1())",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "attribute chain",
        "import cryptography.hazmat.primitives.hashes",
        "algorithm = cryptography.hazmat.primitives.hashes.MD5()",
        verifier=((2, "SC501", WARNING),),
        bandit=(2,),
    ),
    case(
        "SHA-256",
        "from cryptography.hazmat.primitives import hashes",
        "digest = hashes.Hash(hashes.SHA256())",
    ),
    case("Crypto SHA256", "from Crypto.Hash import SHA256", "digest = SHA256.new(data)"),
)
