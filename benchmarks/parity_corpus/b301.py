"""B301 (pickle): loading with pickle and the modules that wrap it."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B301"
CASES: tuple[Case, ...] = (
    case(
        "pickle.loads",
        "import pickle",
        "obj = pickle.loads(data)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "pickle.load and Unpickler",
        "import pickle",
        "a = pickle.load(handle)",
        "b = pickle.Unpickler(handle).load()",
        verifier=((2, "SC401", CRITICAL), (3, "SC401", CRITICAL)),
        bandit=(2, 3),
    ),
    case(
        "from-import alias",
        "from pickle import loads as decode",
        "obj = decode(data)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "dill, shelve, jsonpickle and pandas",
        "import dill",
        "import shelve",
        "import jsonpickle",
        "import pandas as pd",
        "a = dill.loads(data)",
        "b = shelve.open(path)",
        "c = jsonpickle.decode(text)",
        "d = pd.read_pickle(path)",
        verifier=tuple((line, "SC401", CRITICAL) for line in range(5, 9)),
        bandit=(5, 6, 7, 8),
    ),
    case(
        "jsonpickle's Unpickler",
        "from jsonpickle import unpickler",
        "obj = unpickler.Unpickler().restore(state)",
        verifier=((2, "SC401", CRITICAL),),
        bandit=(2,),
    ),
    case("pickle.dumps writes, it does not load", "import pickle", "data = pickle.dumps(obj)"),
    case("json", "import json", "obj = json.loads(data)"),
)
