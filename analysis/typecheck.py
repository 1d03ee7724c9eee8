"""pyright over generated code, many pieces in one run, as :class:`Finding` objects.

pyright's start-up dominates its cost (about 1.3 s for one file, 2 s for
twenty), so :func:`typecheck_many` writes every piece to its own file in one
temporary directory and checks them all in a single ``pyright --outputjson``.
The directory holds a minimal ``pyrightconfig.json`` so that no project
configuration leaks in. Imports resolve against the running interpreter.

pyright's ``error`` / ``warning`` / ``information`` map to ERROR / WARNING /
INFO. Its 0-based positions become 1-based lines and columns. Diagnostics
that carry no rule (syntax errors) get the rule ``syntax``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.findings import Finding, Severity
from analysis.tools import ToolFailedError, run_tool

TOOL = "pyright"
UNRULED = "syntax"
TIMEOUT_S = 180.0

CONFIG: dict[str, Any] = {
    "typeCheckingMode": "basic",
    "pythonVersion": "3.11",
    "reportMissingImports": "warning",
    "reportMissingModuleSource": "none",
}

_SEVERITIES = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "information": Severity.INFO,
}


def typecheck(code: str) -> list[Finding]:
    """pyright's findings for one piece of code, in source order."""
    return typecheck_many([code])[0]


def typecheck_many(codes: Sequence[str]) -> list[list[Finding]]:
    """pyright's findings for each of ``codes`` (same order), from one pyright run."""
    if not codes:
        return []
    with tempfile.TemporaryDirectory(prefix="supercoder-pyright-") as tmp:
        folder = Path(tmp)
        (folder / "pyrightconfig.json").write_text(json.dumps(CONFIG), encoding="utf-8")
        names = [f"generated_{index:04d}.py" for index in range(len(codes))]
        for name, code in zip(names, codes, strict=True):
            (folder / name).write_text(code, encoding="utf-8")
        done = run_tool(
            TOOL,
            ["--outputjson", "--pythonpath", sys.executable, *names],
            cwd=folder,
            timeout_s=TIMEOUT_S,
            ok_codes=(0, 1),
            extra_env={"PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"},
        )
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise ToolFailedError(f"pyright printed output that is not JSON: {exc}") from None
    per_file: dict[str, list[Finding]] = {name: [] for name in names}
    for diagnostic in report.get("generalDiagnostics", []):
        name = Path(str(diagnostic.get("file", ""))).name
        if name in per_file:
            per_file[name].append(_to_finding(diagnostic))
    return [sorted(per_file[name]) for name in names]


def _to_finding(diagnostic: dict[str, Any]) -> Finding:
    start = diagnostic.get("range", {}).get("start", {})
    return Finding(
        line=int(start.get("line", -1)) + 1,
        col=int(start.get("character", -1)) + 1,
        tool=TOOL,
        rule=str(diagnostic.get("rule") or UNRULED),
        severity=_SEVERITIES.get(str(diagnostic.get("severity")), Severity.INFO),
        message=str(diagnostic.get("message", "")).replace("\xa0", " "),
    )
