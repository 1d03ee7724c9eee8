"""B704 (markupsafe_markup_xss): ``Markup`` of computed text)."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B704"
CASES: tuple[Case, ...] = (
    case(
        "markupsafe.Markup",
        "from markupsafe import Markup",
        'html = Markup("<p>" + comment + "</p>")',
        verifier=((2, "SC612", WARNING),),
        bandit=(2,),
    ),
    case(
        "flask.Markup through a module alias",
        "import flask as fl",
        "html = fl.Markup(user_text)",
        verifier=((2, "SC612", WARNING),),
        bandit=(2,),
    ),
    case(
        "from-import alias (bandit matches the qualified name)",
        "from markupsafe import Markup as Safe",
        "html = Safe(user_text)",
        verifier=((2, "SC612", WARNING),),
        bandit=(2,),
    ),
    case("a literal", "from markupsafe import Markup", 'html = Markup("<br>")'),
    case("escape", "from markupsafe import escape", "html = escape(user_text)"),
)
