"""B614 (pytorch_load): ``torch.load`` without ``weights_only=True``)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B614"
CASES: tuple[Case, ...] = (
    case(
        "torch.load",
        "import torch",
        "model = torch.load(path)",
        verifier=((2, "SC404", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "weights_only=False",
        "import torch",
        "state = torch.load(path, weights_only=False)",
        verifier=((2, "SC404", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "torch.serialization.load through an alias (bandit wants torch imported itself)",
        "import torch.serialization as ts",
        "state = ts.load(path)",
        verifier=((2, "SC404", CRITICAL),),
    ),
    case(
        "module alias",
        "import torch as T",
        'state = T.load(path, map_location="cpu")',
        verifier=((2, "SC404", CRITICAL),),
        bandit=(2,),
    ),
    case("weights only", "import torch", "state = torch.load(path, weights_only=True)"),
    case("saving", "import torch", "torch.save(model, path)"),
)
