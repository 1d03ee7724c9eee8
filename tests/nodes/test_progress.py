"""What the progress view prints."""

from __future__ import annotations

import io

from rich.console import Console

from nodes.progress import ProgressView


def view(*, quiet: bool = False) -> tuple[ProgressView, io.StringIO]:
    out = io.StringIO()
    return ProgressView(Console(file=out, width=200), max_cycles=3, quiet=quiet), out


def test_generation_summary_names_tokens_speed_beams_and_branches() -> None:
    progress, out = view()
    progress.generation(
        2,
        {"tokens": 40, "tokens_per_s": 12.5, "live_beams": 3, "branches": 4, "backtracks": 1},
        final=True,
    )
    assert out.getvalue().strip() == (
        "cycle 2/3 generate: 40 tokens decoded, 12.5 tok/s, 4 branches, 1 backtracks"
    )


def test_progress_while_decoding_names_the_live_beams_when_not_on_a_terminal() -> None:
    progress, out = view()
    progress.generation(
        1, {"tokens": 8, "tokens_per_s": 4.0, "live_beams": 3, "branches": 1, "backtracks": 0}
    )
    assert "3 live beams" in out.getvalue()


def test_findings_are_counted_per_tool() -> None:
    progress, out = view()
    progress.findings(1, {"ruff": 2, "pyright": 1}, clean=False, completeness=0.7)
    assert "findings ruff 2, pyright 1; completeness 0.70; not clean" in out.getvalue()


def test_quiet_prints_nothing() -> None:
    progress, out = view(quiet=True)
    progress.node_started("generate", 1)
    progress.generation(1, {"tokens": 1}, final=True)
    progress.note("hello")
    assert out.getvalue() == ""
