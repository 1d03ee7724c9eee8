"""B506 (yaml_load): ``yaml.load`` without a safe loader)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import CRITICAL, Case, case

BANDIT_ID = "B506"
CASES: tuple[Case, ...] = (
    case(
        "yaml.load without a loader",
        "import yaml",
        "data = yaml.load(text)",
        verifier=((2, "SC403", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "the full Loader",
        "import yaml",
        "data = yaml.load(text, Loader=yaml.Loader)",
        verifier=((2, "SC403", CRITICAL),),
        bandit=(2,),
    ),
    case(
        "from-import alias (bandit wants the module imported)",
        "from yaml import load as parse_yaml, UnsafeLoader",
        "data = parse_yaml(text, UnsafeLoader)",
        verifier=((2, "SC403", CRITICAL),),
    ),
    case(
        "unsafe_load (bandit does not know it)",
        "import yaml",
        "data = yaml.unsafe_load(text)",
        verifier=((2, "SC403", CRITICAL),),
    ),
    case(
        "BaseLoader builds strings only (bandit flags it)",
        "import yaml",
        "data = yaml.load(text, Loader=yaml.BaseLoader)",
        bandit=(2,),
    ),
    case("SafeLoader", "import yaml", "data = yaml.load(text, Loader=yaml.SafeLoader)"),
    case("safe_load", "import yaml", "data = yaml.safe_load(text)"),
)
