"""The parity corpus: per bandit test id, snippets with what each tool reports.

Every ``b*.py`` module of this package holds the cases of one bandit id
(``BANDIT_ID``, ``CASES``). A case gives the lines bandit 1.9.4 reports that id
on (any severity) and the findings the verifier must report with the rules
mapped to that id: line, rule and severity. Where the two differ, the case
name says why. ``tests/analysis/security/parity`` checks the verifier against
every case; ``python -m benchmarks.security --parts parity`` runs both tools on
the same snippets as files.

It lives here, not under ``tests/``, because the benchmark reads it and
``benchmarks`` is an installed package while ``tests`` is not.
"""

from __future__ import annotations

import importlib
import pkgutil

from benchmarks.parity_corpus.cases import Case


def corpus() -> dict[str, tuple[Case, ...]]:
    """The cases of every bandit id, by id, in id order."""
    names = sorted(
        info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("b")
    )
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return {module.BANDIT_ID: module.CASES for module in modules}
