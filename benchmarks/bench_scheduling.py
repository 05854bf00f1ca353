"""Scheduling overhead per repository and client memory of the bounded fan-out.

Runs N simulated repositories (real ``RepoTask`` and ``Settings`` objects as
arguments, a function that does no work and returns ``(key, "ok")`` per
repository like ``crawler.pipeline.run_batch``) through
``cluster.executor.run_windowed`` on a LocalCluster, batched exactly as
``crawler.crawl`` batches them (``crawl.batch_size``: automatic, or
``--batch-size``), and reports wall time per repository (= scheduling overhead,
since the tasks do nothing), the client's peak RSS growth, and the most futures
the client held at once.

    .venv/bin/python benchmarks/bench_scheduling.py --sizes 1000 10000 50000
    .venv/bin/python benchmarks/bench_scheduling.py --sizes 10000 --batch-size 1
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import psutil

from cluster.executor import run_windowed
from crawler.crawl import batch_key, batch_size, batches
from crawler.records import CodeLink
from crawler.settings import Settings
from crawler.tasks import RepoTask


def simulated_repo(task: RepoTask, settings: Settings) -> tuple[str, str]:
    """What a worker returns for a repository, without fetching anything."""
    return task.key, "ok"


def simulated_batch(batch: tuple[RepoTask, ...], settings: Settings) -> tuple[tuple[str, str], ...]:
    """What a worker returns for a batch of repositories, without fetching anything."""
    return tuple(simulated_repo(t, settings) for t in batch)


def tasks(n: int) -> Iterator[RepoTask]:
    for i in range(n):
        url = f"https://github.com/owner{i % 997}/repo{i}"
        link = CodeLink(f"p{i}", url, "code", "github", f"github.com/owner{i % 997}/repo{i}")
        yield RepoTask(f"p{i}", "ICLR", 2020 + i % 5, link, "2020-05-01T23:59:59Z")


class PeakRSS:
    """Samples this process's RSS every 50 ms in a thread."""

    def __init__(self) -> None:
        self.proc = psutil.Process(os.getpid())
        self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(client: Any, n: int, window: int, settings: Settings) -> dict[str, Any]:
    gc.collect()
    before = psutil.Process(os.getpid()).memory_info().rss
    held = 0
    done = 0
    size = batch_size(n, settings)
    with PeakRSS() as rss:
        start = time.perf_counter()
        for _, outcome in run_windowed(simulated_batch, batches(tasks(n), size), settings,
                                       client=client, window=window, key=batch_key):
            assert all(status == "ok" for _, status in outcome)
            done += 1
            if done % 97 == 0:
                held = max(held, len(client.futures))
        seconds = time.perf_counter() - start
    return {"tasks": n, "batch_size": size, "window": window, "seconds": round(seconds, 2),
            "ms_per_task": round(1000 * seconds / n, 3),
            "client_rss_start_mib": round(before / 2**20, 1),
            "client_rss_growth_mib": round((rss.peak - before) / 2**20, 1),
            "max_futures_held": held}


def baseline(client: Any, n: int, settings: Settings) -> dict[str, Any]:
    """Dask's own cost on this machine: all tasks in one ``map``, one ``gather`` (no window)."""
    batch = list(tasks(n))
    start = time.perf_counter()
    futures = client.map(simulated_repo, batch, [settings] * n, pure=False)
    client.gather(futures)
    seconds = time.perf_counter() - start
    del futures
    return {"tasks": n, "mode": "unwindowed map+gather", "seconds": round(seconds, 2),
            "ms_per_task": round(1000 * seconds / n, 3)}


def main() -> None:
    from distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=0,
                        help="repositories per task (0 = automatic, as crawl does)")
    parser.add_argument("--baseline", type=int, default=0,
                        help="also time N tasks submitted at once (dask's own overhead)")
    args = parser.parse_args()
    settings = Settings(out="s3://bucket/prefix", github_token="not-a-real-token",
                        batch_size=args.batch_size)
    with LocalCluster(n_workers=args.workers, threads_per_worker=args.threads, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        measure(client, 200, args.window, settings)  # warm-up: imports on the workers
        if args.baseline:
            print(json.dumps(baseline(client, args.baseline, settings)), flush=True)
        for n in args.sizes:
            print(json.dumps(measure(client, n, args.window, settings)), flush=True)


if __name__ == "__main__":
    main()
