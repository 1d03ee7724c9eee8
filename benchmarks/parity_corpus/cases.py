"""What one case of the parity corpus holds, and the shorthand its modules write it in."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.findings import Severity

CRITICAL, ERROR, WARNING, INFO = (
    Severity.CRITICAL,
    Severity.ERROR,
    Severity.WARNING,
    Severity.INFO,
)

Expected = tuple[int, str, Severity]


@dataclass(frozen=True)
class Case:
    """One snippet: its name, code, the verifier's expected findings and bandit's lines."""

    name: str
    code: str
    verifier: tuple[Expected, ...]
    bandit: tuple[int, ...]


def case(
    name: str,
    *lines: str,
    verifier: tuple[Expected, ...] = (),
    bandit: tuple[int, ...] = (),
) -> Case:
    """A case whose code is ``lines`` (line 1 first), ending in a newline."""
    return Case(name, "\n".join(lines) + "\n", verifier, bandit)
