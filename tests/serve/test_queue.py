"""The queue: one run at a time, clients taken in turn, cancellation, limits, load failure."""

from __future__ import annotations

import asyncio
import threading

import pytest

from serve.modes import run_settings
from serve.queue import CancelledRunError, QueueFullError, RunQueue, ServiceUnavailableError
from serve.runner import RunRequest
from tests.serve.fakes import FakeEngine, FakeRunner, fake_settings


def request(task: str) -> RunRequest:
    return RunRequest(task, None, None, run_settings(fake_settings(), "greedy"), "greedy")


def test_clients_are_served_in_turn_each_in_its_own_order() -> None:
    gate = threading.Event()
    engine = FakeEngine(gate=gate)
    queue = RunQueue(FakeRunner(engine))

    async def scenario() -> list[str]:
        queue.start()
        first = queue.submit(request("a0"), client="a")
        await asyncio.to_thread(engine.started.wait, 10)
        jobs = [queue.submit(request(t), client=t[0]) for t in ("a1", "a2", "a3", "b1", "c1", "b2")]
        assert [queue.position(j) for j in jobs] == [0, 3, 5, 1, 2, 4]
        gate.set()
        for job in [first, *jobs]:
            await job.wait(10)
            job.outcome()
        return [r.task for r in engine.runs]

    try:
        order = asyncio.run(scenario())
    finally:
        queue.stop()
    assert order == ["a0", "a1", "b1", "c1", "a2", "b2", "a3"]


def test_a_cancelled_job_leaves_the_queue_or_stops_its_run() -> None:
    gate = threading.Event()
    engine = FakeEngine(gate=gate)
    queue = RunQueue(FakeRunner(engine))

    async def scenario() -> None:
        queue.start()
        running = queue.submit(request("running"), client="a")
        waiting = queue.submit(request("waiting"), client="b")
        await asyncio.to_thread(engine.started.wait, 10)
        queue.cancel(waiting)
        assert queue.waiting == 0
        queue.cancel(running)
        for job in (running, waiting):
            assert await job.wait(10)
            with pytest.raises(CancelledRunError):
                job.outcome()

    try:
        asyncio.run(scenario())
    finally:
        queue.stop()
    assert [r.task for r in engine.cancelled] == ["running"]
    assert engine.runs == []


def test_a_full_queue_refuses_with_a_retry_time() -> None:
    gate = threading.Event()
    engine = FakeEngine(gate=gate)
    queue = RunQueue(FakeRunner(engine), max_waiting=2)

    async def scenario() -> None:
        queue.start()
        queue.submit(request("running"), client="a")
        await asyncio.to_thread(engine.started.wait, 10)
        queue.submit(request("w1"), client="a")
        queue.submit(request("w2"), client="b")
        with pytest.raises(QueueFullError) as refused:
            queue.submit(request("w3"), client="c")
        assert refused.value.retry_after >= 1
        gate.set()

    try:
        asyncio.run(scenario())
    finally:
        queue.stop()


def test_progress_lines_reach_the_waiting_side_in_order() -> None:
    queue = RunQueue(FakeRunner(FakeEngine(steps=3)))

    async def scenario() -> list[str]:
        queue.start()
        job = queue.submit(request("t"), client="a")
        lines = []
        while (line := await job.next_event(10)) is not None:
            lines.append(line)
        return lines

    try:
        lines = asyncio.run(scenario())
    finally:
        queue.stop()
    assert lines[1:] == [
        "run fake-run: up to 1 cycle(s)",
        "cycle 1/1 step 0",
        "cycle 1/1 step 1",
        "cycle 1/1 step 2",
    ]
    assert lines[0].startswith("started after ")


def test_a_model_that_does_not_load_fails_every_job() -> None:
    queue = RunQueue(FakeRunner(load_error=RuntimeError("broken file")))

    async def scenario() -> None:
        queue.start()
        with pytest.raises(ServiceUnavailableError, match="broken file"):
            await queue.ready()
        with pytest.raises(ServiceUnavailableError, match="broken file"):
            queue.submit(request("t"), client="a")

    try:
        asyncio.run(scenario())
    finally:
        queue.stop()


def test_stopping_cancels_the_running_job() -> None:
    engine = FakeEngine(gate=threading.Event())
    queue = RunQueue(FakeRunner(engine))

    async def scenario() -> None:
        queue.start()
        job = queue.submit(request("t"), client="a")
        await asyncio.to_thread(engine.started.wait, 10)
        await asyncio.to_thread(queue.stop)
        assert await job.wait(10)
        with pytest.raises(CancelledRunError):
            job.outcome()

    asyncio.run(scenario())
    assert [r.task for r in engine.cancelled] == ["t"]
