"""Drive a benchmark over its items with a progress bar, skipping items already cached."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from benchmarks.harness.cache import ResultCache

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Worker = TypeVar("Worker")


@contextmanager
def progress_bar(*, quiet: bool = False) -> Iterator[Progress]:
    """A rich progress display (on stderr) with counts, elapsed time and ETA."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
    ) as progress:
        yield progress


def run_cached(
    items: Sequence[Item],
    *,
    item_id: Callable[[Item], str],
    cache: ResultCache,
    open_worker: Callable[[], AbstractContextManager[Worker]],
    work: Callable[[Worker, Item], dict[str, Any]],
    progress: Progress,
    label: str,
    cached_only: bool = False,
) -> list[dict[str, Any]]:
    """One record per item, in order: from the cache, or computed by ``work`` and cached.

    The worker (a loaded model) is opened only if some item is not cached yet;
    ``cached_only`` computes nothing and returns the records of the cached items.
    """
    records: list[dict[str, Any]] = []
    task = progress.add_task(label, total=len(items))
    with ExitStack() as stack:
        worker: Worker | None = None
        for item in items:
            key = item_id(item)
            record = cache.get(key)
            if record is None and cached_only:
                progress.advance(task)
                continue
            if record is None:
                if worker is None:
                    worker = stack.enter_context(open_worker())
                record = work(worker, item)
                cache.put(key, record)
            else:
                log.debug("%s: %s from cache", label, key)
            records.append(record)
            progress.advance(task)
    return records


def common_items(
    records: Mapping[str, Sequence[Mapping[str, Any]]], key: str
) -> dict[str, list[dict[str, Any]]]:
    """Each run's records of the items every run has finished, so partial runs compare alike."""
    ids = [{str(r[key]) for r in rs} for rs in records.values()]
    shared = set.intersection(*ids) if ids else set()
    return {name: [dict(r) for r in rs if str(r[key]) in shared] for name, rs in records.items()}
