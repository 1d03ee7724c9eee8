"""A separate process that adds episodes to a store: ``python -m tests.memory.writer_process``.

Usage: ``PATH PREFIX COUNT``; prints each id after its add committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from memory.embedding import HashingEmbedder
from memory.store import EpisodeStore
from tests.memory.factories import make_episode


def main(argv: list[str]) -> int:
    """Add COUNT episodes named PREFIX-i, one commit each."""
    path, prefix, count = Path(argv[0]), argv[1], int(argv[2])
    store = EpisodeStore.open(path, HashingEmbedder())
    for i in range(count):
        episode_id = f"{prefix}-{i}"
        store.add(make_episode(episode_id, task=f"task {prefix} number {i}", minutes=i))
        print(episode_id, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
