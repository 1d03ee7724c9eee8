"""ruff over one piece of generated code, read from stdin, as :class:`Finding` objects.

The rule set is always pinned with ``--select`` and ruff runs ``--isolated``, so
neither ruff's defaults nor a user's configuration change what is reported.

Severity mapping (first match wins):

==============================================  ========
ruff rule                                       severity
==============================================  ========
``invalid-syntax``, ``E9*``                     ERROR
``F7*`` (compile-time syntax errors)            ERROR
``F821``, ``F822``, ``F823`` (undefined names)  ERROR
``PLE*`` (pylint errors)                        ERROR
any other ``F*`` or ``B*``                      WARNING
everything else (style)                         INFO
==============================================  ========

Exit code 0 (clean) and 1 (findings) are results; 2 is a failure.
Columns are 1-based, as ruff reports them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from analysis.findings import Finding, Severity
from analysis.tools import ToolFailedError, run_tool

TOOL = "ruff"
SYNTAX_RULE = "invalid-syntax"
TIMEOUT_S = 30.0

_ERROR_PREFIXES = (SYNTAX_RULE, "E9", "F7", "F821", "F822", "F823", "PLE")
_WARNING_PREFIXES = ("F", "B")


def severity_of(rule: str) -> Severity:
    """The severity a ruff rule code maps to (see the module's table)."""
    if rule.startswith(_ERROR_PREFIXES):
        return Severity.ERROR
    if rule.startswith(_WARNING_PREFIXES):
        return Severity.WARNING
    return Severity.INFO


def lint(code: str, select: Sequence[str]) -> list[Finding]:
    """ruff's findings for ``code`` under exactly the rules in ``select``, in source order.

    An empty ``select`` checks nothing and returns ``[]``.
    """
    if not select:
        return []
    args = [
        "check",
        "--output-format",
        "json",
        "--stdin-filename",
        "generated.py",
        "--select",
        ",".join(select),
        "--no-cache",
        "--isolated",
        "-",
    ]
    done = run_tool(TOOL, args, input_text=code, timeout_s=TIMEOUT_S, ok_codes=(0, 1))
    try:
        results: list[dict[str, Any]] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ToolFailedError(f"ruff printed output that is not JSON: {exc}") from None
    return sorted(_to_finding(result) for result in results)


def _to_finding(result: dict[str, Any]) -> Finding:
    # Older ruff versions report syntax errors with ``"code": null``.
    rule = result.get("code") or SYNTAX_RULE
    location = result.get("location") or {}
    return Finding(
        line=int(location.get("row", 0)),
        col=int(location.get("column", 0)),
        tool=TOOL,
        rule=rule,
        severity=severity_of(rule),
        message=str(result.get("message", "")),
    )
