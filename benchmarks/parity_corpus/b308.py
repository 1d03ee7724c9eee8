"""B308 (mark_safe): Django's ``mark_safe``."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B308"
CASES: tuple[Case, ...] = (
    case(
        "mark_safe of computed text",
        "from django.utils.safestring import mark_safe",
        "html = mark_safe(user_bio)",
        verifier=((2, "SC612", WARNING),),
        bandit=(2,),
    ),
    case(
        "module alias",
        "from django.utils import safestring as ss",
        "html = ss.mark_safe('<b>' + name + '</b>')",
        verifier=((2, "SC612", WARNING),),
        bandit=(2,),
    ),
    case(
        "a literal is already safe (bandit flags it)",
        "from django.utils.safestring import mark_safe",
        "html = mark_safe('<br>')",
        bandit=(2,),
    ),
    case("escape", "from django.utils.html import escape", "html = escape(user_bio)"),
)
