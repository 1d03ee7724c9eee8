"""What a generation returns: the best code, why it stopped, its branch trace and its stats."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

StopReason = Literal["eos", "stop", "max_tokens", "no_safe_beam"]


@dataclass(frozen=True)
class Alternative:
    """One token a beam considered when it branched."""

    token: int
    text: str
    probability: float


@dataclass(frozen=True)
class BranchEvent:
    """A step where a beam was uncertain enough to branch."""

    step: int
    beam_id: int
    position: int
    entropy: float
    varentropy: float
    alternatives: tuple[Alternative, ...]


@dataclass
class GenerationStats:
    """Counters and timings of one generation."""

    steps: int = 0
    tokens: int = 0  # tokens decoded across all beams
    beam_steps: int = 0  # distributions read: live beams summed over steps
    generated_tokens: int = 0  # tokens of the returned result
    prompt_tokens: int = 0
    branches: int = 0
    prunes: int = 0
    merges: int = 0  # beams dropped because their text rejoined a better one
    commits: int = 0  # lookaheads that ended by keeping one beam
    backtracks: int = 0
    unsafe: int = 0  # unsafe statements SABS found
    rewinds: int = 0  # of which the beam was rewound to before the statement
    kills: int = 0  # of which the beam had no rewind left and failed
    steered: list[str] = field(default_factory=list)  # "rule construct" of each one SABS kept out
    entropy_threshold: float = 0.0  # the threshold this generation branched at
    live_beams: int = 0  # beams still decoding after the last step
    elapsed_s: float = 0.0

    @property
    def mean_live_beams(self) -> float:
        """Live beams per step, on average (1.0 for greedy decoding)."""
        return self.beam_steps / self.steps if self.steps else 0.0

    @property
    def tokens_per_s(self) -> float:
        """Decoded tokens per second of wall time (0 before any time has passed)."""
        return self.tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counters, tokens/s included."""
        return {
            **asdict(self),
            "tokens_per_s": self.tokens_per_s,
            "mean_live_beams": self.mean_live_beams,
        }


@dataclass(frozen=True)
class BeamText:
    """One finished beam: its generated text and tokens, why it ended, and its score."""

    text: str
    tokens: tuple[int, ...]
    stop_reason: StopReason
    score: float


@dataclass(frozen=True)
class GenerationResult:
    """The best beam's text and tokens, why the search stopped, and how it got there.

    ``beams`` holds every beam that finished, best first (the result's own beam
    first), so a caller can judge the alternatives; it is empty when no beam
    finished (``no_safe_beam``).
    """

    text: str
    tokens: tuple[int, ...]
    stop_reason: StopReason
    trace: tuple[BranchEvent, ...] = ()
    stats: GenerationStats = field(default_factory=GenerationStats)
    score: float = 0.0
    beams: tuple[BeamText, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of everything in the result."""
        return {
            "text": self.text,
            "tokens": list(self.tokens),
            "stop_reason": self.stop_reason,
            "score": self.score,
            "trace": [asdict(event) for event in self.trace],
            "stats": self.stats.to_dict(),
            "beams": [asdict(beam) | {"tokens": list(beam.tokens)} for beam in self.beams],
        }
