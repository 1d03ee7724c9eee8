"""B403 (import_pickle): importing pickle, cPickle, dill or shelve)."""

from __future__ import annotations

import pytest

from tests.analysis.security.parity.cases import WARNING, Case, assert_verifier, case, case_id

BANDIT_ID = "B403"
CASES: tuple[Case, ...] = (
    case("pickle", "import pickle", verifier=((1, "SC402", WARNING),), bandit=(1,)),
    case(
        "from-import alias",
        "from pickle import loads as decode",
        verifier=((1, "SC402", WARNING),),
        bandit=(1,),
    ),
    case(
        "dill and shelve",
        "import dill",
        "import shelve as store",
        verifier=((1, "SC402", WARNING), (2, "SC402", WARNING)),
        bandit=(1, 2),
    ),
    case(
        "pickletools only reads opcodes (bandit flags it by prefix)",
        "import pickletools",
        bandit=(1,),
    ),
    case("json", "import json"),
)


@pytest.mark.parametrize("item", CASES, ids=case_id)
def test_b403(item: Case) -> None:
    assert_verifier(BANDIT_ID, item)
