"""What a person sees while a run works: one status line per event, on stderr.

``ProgressView`` is the only place the run prints progress; ``quiet`` turns
it off. Results are printed by the CLI, not here. Text is printed literally:
styles come from ``Text`` objects, never from markup in the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.status import Status
from rich.text import Text

from verify.checks import judged_own


class ProgressView:
    """Progress lines: cycle k of n, node, tokens and tokens/s, beams, findings."""

    def __init__(self, console: Console, *, max_cycles: int, quiet: bool = False) -> None:
        self.console = console
        self.max_cycles = max_cycles
        self.quiet = quiet
        self._status: Status | None = None

    def _line(self, cycle: int, text: str | Text) -> None:
        if not self.quiet:
            self.console.print(
                Text.assemble((f"cycle {cycle}/{self.max_cycles}", "dim"), " ", text),
                highlight=False,
            )

    def _show(self, text: str) -> None:
        """The live line under the log (on a terminal only): what is running right now."""
        if self.quiet or not self.console.is_terminal:
            return
        if self._status is None:
            self._status = self.console.status(Text(text))
            self._status.start()
        else:
            self._status.update(Text(text))

    def close(self) -> None:
        """Remove the live line."""
        if self._status is not None:
            self._status.stop()
            self._status = None

    def node_started(self, node: str, cycle: int) -> None:
        """A node began working on ``cycle``."""
        self._line(cycle, Text.assemble((node, "bold"), " ..."))
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
                "sabs: {calls} checks, {soft} soft penalties, {unsafe} unsafe statements, "
                "{rewinds} rewinds, {kills} failed beams".format(
                    calls=stats.get("verifier_calls", 0),
                    soft=stats.get("soft_penalties", 0),
                    unsafe=stats.get("unsafe", 0),
                    rewinds=stats.get("rewinds", 0),
                    kills=stats.get("kills", 0),
                ),
            )

    def findings(
        self, cycle: int, per_tool: Mapping[str, int], *, clean: bool, completeness: float
    ) -> None:
        """The static tests' verdict on one attempt."""
        counts = ", ".join(f"{tool} {n}" for tool, n in per_tool.items()) or "none"
        verdict = ("clean", "green") if clean else ("not clean", "yellow")
        self._line(
            cycle,
            Text.assemble(
                f"static test: findings {counts}; completeness {completeness:.2f}; ", verdict
            ),
        )

    def checks(self, cycle: int, results: Sequence[Mapping[str, Any]], *, candidates: int) -> None:
        """What the sandbox said of the candidate the cycle keeps (of ``candidates`` judged)."""
        own = judged_own(results)
        model = [r for r in results if r.get("origin") == "model"]
        parts = []
        if own:
            passed = sum(r.get("outcome") == "passed" for r in own)
            style = "green" if passed == len(own) else "yellow"
            parts.append((f"{passed}/{len(own)} examples and tests passed", style))
        if model:
            joint = "; " if parts else ""
            parts.append(
                f"{joint}{sum(r.get('outcome') == 'passed' for r in model)}/{len(model)} "
                "of the model's tests passed"
            )
        if parts:
            kept = f" (the best of {candidates} candidates)" if candidates > 1 else ""
            self._line(cycle, Text.assemble("verify: ", *parts, kept))

    def note(self, text: str) -> None:
        """A one-off message (a policy decision, a resume hint)."""
        if not self.quiet:
            self.console.print(text, markup=False, highlight=False)
