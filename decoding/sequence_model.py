"""What the search needs from a model, as a protocol (``LlamaAdapter`` is the real one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class StepInput:
    """One sequence's token for a batched decode step: ``token`` at ``position`` in ``seq_id``."""

    seq_id: int
    token: int
    position: int


class SequenceModel(Protocol):
    """A model whose sequences can be decoded in one batch, forked, truncated and freed."""

    @property
    def n_seq_max(self) -> int:
        """How many sequences can live at once."""
        ...

    def decode_prompt(self, tokens: Sequence[int], *, seq_id: int = 0) -> None:
        """Feed ``tokens`` from position 0 into ``seq_id``; the last one's logits become readable."""
        ...

    def step(self, inputs: Sequence[StepInput]) -> None:
        """Advance each listed sequence by its one token in a single decode."""
        ...

    def logits(self, seq_id: int) -> npt.NDArray[np.float32]:
        """Next-token logits of a sequence decoded by the last call (valid until the next)."""
        ...

    def fork(self, src: int, dst: int) -> None:
        """Make ``dst`` a copy of ``src``."""
        ...

    def free(self, seq_id: int) -> None:
        """Empty ``seq_id``."""
        ...

    def truncate(self, seq_id: int, length: int) -> None:
        """Keep the first ``length`` positions of ``seq_id``."""
        ...

    def piece(self, token: int) -> bytes:
        """The bytes ``token`` renders to."""
        ...

    def is_end(self, token: int) -> bool:
        """Whether ``token`` ends generation."""
        ...
