"""Resuming a benchmark: cached items are skipped, the model is loaded only when needed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchmarks.harness.cache import ResultCache
from benchmarks.harness.runner import common_items, progress_bar, run_cached


class CountingWorker:
    """A stand-in for a loaded model that records what it was asked to do."""

    def __init__(self) -> None:
        self.opened = 0
        self.done: list[str] = []

    @contextmanager
    def open(self) -> Iterator[CountingWorker]:
        self.opened += 1
        yield self

    def work(self, worker: CountingWorker, item: str) -> dict[str, Any]:
        worker.done.append(item)
        return {"item": item, "passed": item.endswith("0")}


def _run(
    items: list[str], cache: ResultCache, worker: CountingWorker, *, cached_only: bool = False
) -> list[dict[str, Any]]:
    with progress_bar(quiet=True) as progress:
        return run_cached(
            items,
            item_id=lambda item: item,
            cache=cache,
            open_worker=worker.open,
            work=worker.work,
            progress=progress,
            label="test",
            cached_only=cached_only,
        )


def _cache(root: Path) -> ResultCache:
    return ResultCache(root, benchmark="b", mode="m", settings_key="s", model_sha="x")


def test_a_resumed_run_only_works_on_unfinished_items(tmp_path: Path) -> None:
    _run(["p0", "p1"], _cache(tmp_path), CountingWorker())
    worker = CountingWorker()
    _run(["p0", "p1", "p2"], _cache(tmp_path), worker)
    assert worker.done == ["p2"]


def test_a_resumed_run_returns_every_record_in_order(tmp_path: Path) -> None:
    _run(["p1"], _cache(tmp_path), CountingWorker())
    records = _run(["p0", "p1", "p2"], _cache(tmp_path), CountingWorker())
    assert [r["item"] for r in records] == ["p0", "p1", "p2"]


def test_a_fully_cached_run_never_opens_the_worker(tmp_path: Path) -> None:
    _run(["p0", "p1"], _cache(tmp_path), CountingWorker())
    worker = CountingWorker()
    _run(["p0", "p1"], _cache(tmp_path), worker)
    assert worker.opened == 0


def test_an_interrupted_run_keeps_what_it_finished(tmp_path: Path) -> None:
    class Failing(CountingWorker):
        def work(self, worker: CountingWorker, item: str) -> dict[str, Any]:
            if item == "p1":
                raise KeyboardInterrupt
            return super().work(worker, item)

    with pytest.raises(KeyboardInterrupt):
        _run(["p0", "p1"], _cache(tmp_path), Failing())
    assert _cache(tmp_path).get("p0") is not None
    assert _cache(tmp_path).get("p1") is None


def test_a_cached_only_run_reports_the_finished_items_and_computes_nothing(tmp_path: Path) -> None:
    _run(["p1"], _cache(tmp_path), CountingWorker())
    worker = CountingWorker()
    records = _run(["p0", "p1", "p2"], _cache(tmp_path), worker, cached_only=True)
    assert [r["item"] for r in records] == ["p1"]
    assert (worker.opened, worker.done) == (0, [])


def test_common_items_keep_what_every_run_has_finished() -> None:
    records = {"a": [{"id": "p0"}, {"id": "p1"}, {"id": "p2"}], "b": [{"id": "p1"}, {"id": "p2"}]}
    assert common_items(records, "id") == {"a": [{"id": "p1"}, {"id": "p2"}],
                                           "b": [{"id": "p1"}, {"id": "p2"}]}
