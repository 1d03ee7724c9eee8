"""The packages import one way: no module cycle, no import against the layering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tools_imports_finds_no_cycle_and_no_edge_against_the_layering() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "imports.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "module cycles: 0" in result.stdout
    edges = [line for line in result.stdout.splitlines() if line.startswith("  ! ")]
    assert edges == []
