"""B403 (import_pickle): importing pickle, cPickle, dill or shelve)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import INFO, Case, case

BANDIT_ID = "B403"
CASES: tuple[Case, ...] = (
    case("pickle", "import pickle", verifier=((1, "SC402", INFO),), bandit=(1,)),
    case(
        "from-import alias",
        "from pickle import loads as decode",
        verifier=((1, "SC402", INFO),),
        bandit=(1,),
    ),
    case(
        "dill and shelve",
        "import dill",
        "import shelve as store",
        verifier=((1, "SC402", INFO), (2, "SC402", INFO)),
        bandit=(1, 2),
    ),
    case(
        "pickletools only reads opcodes (bandit flags it by prefix)",
        "import pickletools",
        bandit=(1,),
    ),
    case("json", "import json"),
)
