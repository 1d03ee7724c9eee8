"""B701 (jinja2_autoescape_false): a Jinja2 ``Environment`` without autoescape)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import ERROR, Case, case

BANDIT_ID = "B701"
CASES: tuple[Case, ...] = (
    case(
        "no autoescape",
        "import jinja2",
        "env = jinja2.Environment(loader=loader)",
        verifier=((2, "SC609", ERROR),),
        bandit=(2,),
    ),
    case(
        "autoescape=False",
        "from jinja2 import Environment, FileSystemLoader",
        'env = Environment(loader=FileSystemLoader("templates"), autoescape=False)',
        verifier=((2, "SC609", ERROR),),
        bandit=(2,),
    ),
    case(
        "from-import alias",
        "from jinja2 import Environment as Env",
        "env = Env()",
        verifier=((2, "SC609", ERROR),),
        bandit=(2,),
    ),
    case(
        "module alias",
        "import jinja2 as j2",
        "env = j2.Environment(autoescape=0)",
        verifier=((2, "SC609", ERROR),),
        bandit=(2,),
    ),
    case(
        "the environment module",
        "from jinja2.environment import Environment",
        "env = Environment(loader=loader)",
        verifier=((2, "SC609", ERROR),),
        bandit=(2,),
    ),
    case(
        "a sandboxed environment (bandit does not know it)",
        "from jinja2.sandbox import SandboxedEnvironment",
        "env = SandboxedEnvironment()",
        verifier=((2, "SC609", ERROR),),
    ),
    case(
        "autoescape from a variable, maybe a function (bandit flags it)",
        "import jinja2",
        "env = jinja2.Environment(autoescape=should_escape)",
        bandit=(2,),
    ),
    case(
        "select_autoescape",
        "from jinja2 import Environment, select_autoescape",
        'env = Environment(autoescape=select_autoescape(["html"]))',
    ),
    case("autoescape=True", "import jinja2", "env = jinja2.Environment(autoescape=True)"),
)
