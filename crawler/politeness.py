"""Cluster-wide politeness: concurrent downloads, requests per second, cool-offs.

A ``Limiter`` is built from ``Settings`` by :func:`limiter_for` and cached per
process. Inside a Dask worker both limits are ``distributed.Semaphore`` objects
on the scheduler, shared by every worker of the cluster; elsewhere they are
``threading`` semaphores, shared by every thread of the process.

Requests per second is a *sliding window*: a request takes one of ``R`` leases
and a timer gives it back one second later, so no one-second window ever holds
more than ``R`` requests cluster-wide. Chosen over a token bucket kept in a
``distributed.Variable`` behind a ``Lock`` because it needs two scheduler
round trips per request instead of four, never compares clocks of different
machines, and recovers by itself when a worker dies holding leases (the
scheduler's lease timeout). The cost: bursts of up to ``R`` at once.

Cool-offs after a rate-limit answer (``hold_off``) are per process: every
worker learns of an exhausted quota from at most one refused request.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

from crawler.settings import Settings

WINDOW_SECONDS = 1.0


class _Sem(Protocol):
    def acquire(self) -> Any: ...
    def release(self) -> Any: ...


class Limiter:
    """Gates every request (rate) and every download (concurrency)."""

    def __init__(self, downloads: _Sem, requests: _Sem | None, kind: str) -> None:
        self._downloads = downloads
        self._requests = requests
        self.kind = kind  # "local" or "dask"
        self._hold: dict[str, float] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Limiter(kind={self.kind!r})"

    def acquire_request(self) -> None:
        """Block until one more request fits in the per-second window."""
        if self._requests is None:
            return
        self._requests.acquire()
        timer = threading.Timer(WINDOW_SECONDS, self._release_request)
        timer.daemon = True
        timer.start()

    def _release_request(self) -> None:
        assert self._requests is not None
        with contextlib.suppress(Exception):  # a closing worker: the lease times out
            self._requests.release()

    @contextlib.contextmanager
    def download_slot(self) -> Iterator[None]:
        """Hold one of the cluster's concurrent-download slots."""
        self._downloads.acquire()
        try:
            yield
        finally:
            self._downloads.release()

    def hold_off(self, host: str, seconds: float) -> None:
        """Ask every request to ``host`` from this process to wait ``seconds``."""
        until = time.monotonic() + seconds
        with self._lock:
            self._hold[host] = max(self._hold.get(host, 0.0), until)

    def blocked_for(self, host: str) -> float:
        """Seconds left of ``host``'s cool-off (0 when none)."""
        with self._lock:
            return max(0.0, self._hold.get(host, 0.0) - time.monotonic())


def local_limiter(concurrent_downloads: int, requests_per_second: float) -> Limiter:
    """An in-process limiter (threads of one process share it)."""
    rps = _leases(requests_per_second)
    requests = threading.BoundedSemaphore(rps) if rps else None
    return Limiter(threading.BoundedSemaphore(max(1, concurrent_downloads)), requests, "local")


def dask_limiter(concurrent_downloads: int, requests_per_second: float) -> Limiter:
    """A limiter shared by every worker of the current Dask cluster."""
    from distributed import Semaphore

    n = max(1, concurrent_downloads)
    rps = _leases(requests_per_second)
    downloads = Semaphore(max_leases=n, name=f"toolcensus-downloads-{n}")  # type: ignore[no-untyped-call]
    requests = (
        Semaphore(max_leases=rps, name=f"toolcensus-requests-{rps}")  # type: ignore[no-untyped-call]
        if rps
        else None
    )
    return Limiter(downloads, requests, "dask")


def _leases(requests_per_second: float) -> int:
    """Leases per window; 0 (no limit) for a non-positive rate."""
    if requests_per_second <= 0:
        return 0
    return max(1, math.floor(requests_per_second * WINDOW_SECONDS))


_CACHE: dict[tuple[str, int, float], Limiter] = {}
_CACHE_LOCK = threading.Lock()


def limiter_for(settings: Settings) -> Limiter:
    """The process's limiter for ``settings``: Dask-wide on a worker, else local.

    >>> limiter_for(Settings()).kind
    'local'
    """
    scope = _dask_scope()
    key = (scope, settings.concurrent_downloads, settings.requests_per_second)
    with _CACHE_LOCK:
        if key not in _CACHE:
            make = dask_limiter if scope else local_limiter
            _CACHE[key] = make(settings.concurrent_downloads, settings.requests_per_second)
        return _CACHE[key]


def _dask_scope() -> str:
    """The scheduler address when running in a Dask worker, else ""."""
    try:
        from distributed import get_worker
    except ImportError:  # pragma: no cover - distributed is a dependency
        return ""
    try:
        worker = get_worker()
    except ValueError:
        return ""
    return str(worker.scheduler.address)
