"""B703 (django_mark_safe): Django's ``mark_safe`` on text that is not a fixed literal."""

from __future__ import annotations

from benchmarks.parity_corpus.cases import WARNING, Case, case

BANDIT_ID = "B703"
CASES: tuple[Case, ...] = (
    case(
        "a parameter",
        "from django.utils.safestring import mark_safe",
        "def render(bio):",
        "    return mark_safe(bio)",
        verifier=((3, "SC612", WARNING),),
        bandit=(3,),
    ),
    case(
        "formatted text through the module",
        "from django.utils import safestring",
        'html = safestring.mark_safe("<b>%s</b>" % name)',
        verifier=((2, "SC612", WARNING),),
        bandit=(2,),
    ),
    case(
        "from django.utils.html",
        "from django.utils.html import mark_safe as trusted",
        'html = trusted(f"<i>{title}</i>")',
        verifier=((2, "SC612", WARNING),),
    ),
    case(
        "a variable holding a literal (bandit follows it; the verifier does not)",
        "from django.utils.safestring import mark_safe",
        'text = "<br>"',
        "html = mark_safe(text)",
        verifier=((3, "SC612", WARNING),),
    ),
    case(
        "a literal",
        "from django.utils.safestring import mark_safe",
        'html = mark_safe("<br>")',
    ),
    case(
        "format_html escapes",
        "from django.utils.html import format_html",
        'html = format_html("<b>{}</b>", name)',
    ),
)
