"""The politeness limiter: in-process and Dask-wide (on a real in-process cluster)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from crawler.politeness import Limiter, dask_limiter, limiter_for, local_limiter
from crawler.settings import Settings


class Gauge:
    """Counts how many holders are inside at once."""

    def __init__(self) -> None:
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def hold_slot(limiter: Limiter, gauge: Gauge) -> None:
    with limiter.download_slot():
        gauge.enter()
        time.sleep(0.02)
        gauge.leave()


def max_in_window(stamps: list[float], window: float = 0.9) -> int:
    """Most stamps in any window; 0.9 s, as stamps are taken a little after each acquire."""
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < s + window) for i, s in enumerate(stamps))


def test_local_download_slots_bound_concurrency() -> None:
    limiter, gauge = local_limiter(3, 0), Gauge()
    threads = [threading.Thread(target=hold_slot, args=(limiter, gauge)) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gauge.peak == 3


def test_local_requests_per_second_is_a_sliding_window() -> None:
    limiter, stamps = local_limiter(1, 4), []
    for _ in range(9):
        limiter.acquire_request()
        stamps.append(time.monotonic())
    assert max_in_window(stamps) == 4


def test_hold_off_is_per_host() -> None:
    limiter = local_limiter(1, 0)
    limiter.hold_off("api.example", 30)
    assert 29 < limiter.blocked_for("api.example") <= 30
    assert limiter.blocked_for("codeload.example") == 0


def test_limiter_for_is_local_and_cached_outside_dask() -> None:
    settings = Settings(concurrent_downloads=5, requests_per_second=7)
    limiter = limiter_for(settings)
    assert limiter.kind == "local" and limiter is limiter_for(settings)


@pytest.fixture(scope="module")
def dask_client() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=4,
                            dashboard_address=":0") as client:
        yield client


def _task_slot(i: int) -> tuple[str, float, float]:
    limiter = limiter_for(Settings(concurrent_downloads=2, requests_per_second=0))
    with limiter.download_slot():
        start = time.monotonic()
        time.sleep(0.05)
        return limiter.kind, start, time.monotonic()


def test_dask_download_slots_are_cluster_wide(dask_client: object) -> None:
    futures = dask_client.map(_task_slot, range(10), pure=False)  # type: ignore[attr-defined]
    results = dask_client.gather(futures)  # type: ignore[attr-defined]
    assert {kind for kind, _, _ in results} == {"dask"}
    events = sorted([(s, 1) for _, s, _ in results] + [(e, -1) for _, _, e in results],
                    key=lambda ev: (ev[0], ev[1]))
    inside = peak = 0
    for _, step in events:
        inside += step
        peak = max(peak, inside)
    assert peak == 2  # 8 threads on 2 workers, but never more than 2 downloads at once


def _task_request(i: int) -> float:
    limiter = limiter_for(Settings(concurrent_downloads=1, requests_per_second=3))
    limiter.acquire_request()
    return time.monotonic()


def test_dask_requests_per_second_are_cluster_wide(dask_client: object) -> None:
    futures = dask_client.map(_task_request, range(7), pure=False)  # type: ignore[attr-defined]
    stamps = dask_client.gather(futures)  # type: ignore[attr-defined]
    assert max_in_window(stamps) <= 3


def test_dask_limiter_outside_a_worker_uses_the_client(dask_client: object) -> None:
    limiter = dask_limiter(1, 0)
    with limiter.download_slot():
        assert limiter.kind == "dask"
