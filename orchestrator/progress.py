"""What a person sees while a run works: one status line per event, on stderr.

``ProgressView`` is the only place the run prints progress; ``quiet`` turns
it off. Results are printed by the CLI, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.status import Status


class ProgressView:
    """Progress lines: cycle k of n, node, tokens and tokens/s, beams, findings."""

    def __init__(self, console: Console, *, max_cycles: int, quiet: bool = False) -> None:
        self.console = console
        self.max_cycles = max_cycles
        self.quiet = quiet
        self._status: Status | None = None

    def _line(self, cycle: int, text: str) -> None:
        if not self.quiet:
            self.console.print(
                f"[dim]cycle {cycle}/{self.max_cycles}[/dim] {text}", highlight=False
            )

    def _show(self, text: str) -> None:
        """The live line under the log (on a terminal only): what is running right now."""
        if self.quiet or not self.console.is_terminal:
            return
        if self._status is None:
            self._status = self.console.status(text)
            self._status.start()
        else:
            self._status.update(text)

    def close(self) -> None:
        """Remove the live line."""
        if self._status is not None:
            self._status.stop()
            self._status = None

    def node_started(self, node: str, cycle: int) -> None:
        """A node began working on ``cycle``."""
        self._line(cycle, f"[bold]{node}[/bold] ...")
        self._show(f"cycle {cycle}/{self.max_cycles} · {node}")

    def generation(self, cycle: int, stats: Mapping[str, Any], *, final: bool = False) -> None:
        """Progress of the search: live while it runs (every ``log_every`` steps), a line at the end."""
        beams = f", {stats['live_beams']} live beams" if "live_beams" in stats and not final else ""
        text = (
            f"generate: {stats.get('tokens', 0)} tokens decoded, "
            f"{float(stats.get('tokens_per_s', 0.0)):.1f} tok/s{beams}, "
            f"{stats.get('branches', 0)} branches, {stats.get('backtracks', 0)} backtracks"
        )
        if final or not self.console.is_terminal:
            self._line(cycle, text)
        else:
            self._show(f"cycle {cycle}/{self.max_cycles} · {text}")

    def sabs(self, cycle: int, stats: Mapping[str, Any]) -> None:
        """SABS decisions of the last generation."""
        if stats:
            self._line(
                cycle,
                "sabs: {calls} checks, {soft} soft penalties, {hard} hard fails, {repairs} repairs".format(
                    calls=stats.get("verifier_calls", 0),
                    soft=stats.get("soft_penalties", 0),
                    hard=stats.get("hard_fails", 0),
                    repairs=stats.get("repairs", 0),
                ),
            )

    def findings(
        self, cycle: int, per_tool: Mapping[str, int], *, clean: bool, completeness: float
    ) -> None:
        """The static tests' verdict on one attempt."""
        counts = ", ".join(f"{tool} {n}" for tool, n in per_tool.items()) or "none"
        verdict = "[green]clean[/green]" if clean else "[yellow]not clean[/yellow]"
        self._line(
            cycle, f"static test: findings {counts}; completeness {completeness:.2f}; {verdict}"
        )

    def note(self, text: str) -> None:
        """A one-off message (a policy decision, a resume hint)."""
        if not self.quiet:
            self.console.print(text, highlight=False)
