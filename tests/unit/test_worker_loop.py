"""The worker poll loop (workers/runner.py): rounds run again at once while there is work,
a failing task is logged and skipped without stopping the others, and ``stop`` ends the loop.

The tasks here are tiny real implementations of the WorkerTask protocol, not mocks.
"""

from __future__ import annotations

import asyncio

from homeport.clock import FakeClock
from homeport.workers.runner import poll_loop, run_round
from homeport.workers.task import Paced, WorkerTask

#: Long enough that a test finishing means the loop did not wait for it.
NEVER = 3600.0


class Countdown:
    """Has ``work`` items; handles up to ``batch`` per round; stops the loop when it idles."""

    name = "countdown"

    def __init__(self, work: int, batch: int, stop: asyncio.Event | None = None) -> None:
        self.left = work
        self.batch = batch
        self.rounds = 0
        self.ran = asyncio.Event()
        self._stop = stop

    async def run_once(self) -> int:
        self.rounds += 1
        self.ran.set()
        done = min(self.batch, self.left)
        self.left -= done
        if done == 0 and self._stop is not None:
            self._stop.set()
        return done


class Broken:
    name = "broken"

    def __init__(self) -> None:
        self.calls = 0

    async def run_once(self) -> int:
        self.calls += 1
        raise RuntimeError("task bug")


async def test_a_round_adds_what_each_task_handled_and_survives_a_broken_task() -> None:
    broken = Broken()
    tasks: list[WorkerTask] = [broken, Countdown(work=5, batch=3)]

    assert await run_round(tasks) == 3
    assert await run_round(tasks) == 2
    assert broken.calls == 2


async def test_the_loop_goes_again_at_once_while_there_was_work() -> None:
    """Ten batches of work and the idle round that stops it: no poll wait in between."""
    stop = asyncio.Event()
    countdown = Countdown(work=10, batch=1, stop=stop)

    await asyncio.wait_for(poll_loop([countdown, Broken()], stop=stop, poll_seconds=NEVER), timeout=NEVER)

    assert countdown.left == 0
    assert countdown.rounds == 11


async def test_setting_stop_ends_an_idle_loop_without_waiting_for_the_poll() -> None:
    stop = asyncio.Event()
    idle = Countdown(work=0, batch=1)
    loop = asyncio.create_task(poll_loop([idle], stop=stop, poll_seconds=NEVER))
    await idle.ran.wait()

    stop.set()
    await asyncio.wait_for(loop, timeout=NEVER)

    assert idle.rounds == 1


class _Counting:
    name = "counting"

    def __init__(self, results: list[int]) -> None:
        self.results = results
        self.calls = 0

    async def run_once(self) -> int:
        self.calls += 1
        return self.results.pop(0) if self.results else 0


async def test_a_paced_task_rests_after_an_idle_pass_and_keeps_going_while_it_finds_work() -> None:
    clock = FakeClock()
    task = _Counting([2, 1, 0, 0])
    paced = Paced(task, clock, every=60)
    assert [await paced.run_once() for _ in range(3)] == [2, 1, 0]
    assert await paced.run_once() == 0
    assert task.calls == 3
    clock.advance(59)
    assert await paced.run_once() == 0
    assert task.calls == 3
    clock.advance(1)
    await paced.run_once()
    assert task.calls == 4
    assert paced.name == "counting"
