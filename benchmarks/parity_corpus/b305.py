"""B305 (cipher_modes): ECB mode from cryptography."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B305"
CASES: tuple[Case, ...] = (
    case(
        "modes.ECB()",
        "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes",
        "cipher = Cipher(algorithms.AES(key), modes.ECB())",
        verifier=((2, "SC504", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from cryptography.hazmat.primitives.ciphers.modes import ECB as Plain",
        "mode = Plain()",
        verifier=((2, "SC504", ERROR),),
        bandit=(2,),
    ),
    case(
        "PyCryptodome's MODE_ECB (bandit does not know it)",
        "from Crypto.Cipher import AES",
        "cipher = AES.new(key, AES.MODE_ECB)",
        verifier=((2, "SC504", ERROR),),
    ),
    case(
        "GCM",
        "from cryptography.hazmat.primitives.ciphers import modes",
        "mode = modes.GCM(iv)",
    ),
)
