"""The bounded fan-out: window, release of results, failures as data, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cluster.executor import run_windowed

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=4, processes=False, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


GATE = threading.Event()


def wait_for_gate(x: int) -> int:
    GATE.wait(30)
    return x


def test_in_process_loop_runs_every_task() -> None:
    assert list(run_windowed(square, range(5))) == [(i, i * i) for i in range(5)]


def test_window_bounds_futures_and_results_are_released(client: Any) -> None:
    consumed = 0

    def tasks() -> Iterator[int]:
        nonlocal consumed
        for i in range(200):
            consumed += 1
            yield i

    seen: dict[int, int] = {}
    for n, (task, result) in enumerate(
        run_windowed(square, tasks(), client=client, window=8, key=str), start=1
    ):
        seen[task] = result
        assert consumed - n <= 8  # submitted but not yet reported: never more than the window
        # reported futures are released asynchronously (on the client's event loop)
        assert len(client.futures) <= 2 * 8
    assert seen == {i: i * i for i in range(200)}
    _wait_until(lambda: not client.futures)
    _wait_until(lambda: client.run_on_scheduler(_n_tasks) == 0)  # no result kept anywhere


def _wait_until(cond: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert cond()


def test_failed_task_is_yielded_not_raised(client: Any) -> None:
    out = dict(run_windowed(fail_on_three, range(6), client=client, window=2, key=str))
    assert isinstance(out.pop(3), ValueError)
    assert out == {i: i for i in (0, 1, 2, 4, 5)}


def test_stop_cancels_everything_in_flight(client: Any) -> None:
    GATE.clear()
    stop = threading.Event()
    gen = run_windowed(wait_for_gate, range(50), client=client, window=6, key=str,
                       stop=stop.is_set)
    threading.Timer(0.3, stop.set).start()
    assert list(gen) == []  # nothing finished: the gate is closed
    _wait_until(lambda: not client.futures)
    GATE.set()


def test_closing_the_generator_cancels_in_flight(client: Any) -> None:
    GATE.clear()
    gen = run_windowed(wait_for_gate, range(50), client=client, window=4, key=lambda i: f"c{i}")
    threading.Timer(0.3, GATE.set).start()
    first = next(gen)
    GATE.clear()
    gen.close()
    assert first[0] == first[1]
    _wait_until(lambda: not client.futures)
    _wait_until(lambda: client.run_on_scheduler(_n_tasks) == 0)
    GATE.set()


def _n_tasks(dask_scheduler: Any) -> int:
    return len(dask_scheduler.tasks)
