"""Scheduling overhead per repository and client memory of the bounded fan-out.

Runs N simulated repositories (real ``RepoTask`` and ``Settings`` objects as
arguments, a function that does no work and returns ``(key, "ok")`` per
repository like ``crawler.pipeline.run_batch``) through
``cluster.executor.run_windowed`` on a LocalCluster, batched exactly as
``crawler.crawl`` batches them (``crawl.batch_size``: automatic, or
``--batch-size``), and reports wall time per repository (= scheduling overhead,
since the tasks do nothing), the client's RSS growth (peak, and after the run),
and the most futures the client held at once.

The client is made by ``cluster.connect.get_client`` as a crawl makes it, in
two modes: ``local`` (a LocalCluster: its scheduler runs inside the client
process, so the client's RSS includes the scheduler's) and ``external``
(``dask scheduler`` and ``dask worker`` subprocesses on 127.0.0.1, so the
client process holds only the client; the scheduler's RSS is reported too).

    .venv/bin/python benchmarks/bench_scheduling.py --sizes 1000 10000 50000
    .venv/bin/python benchmarks/bench_scheduling.py --mode local --sizes 10000 --batch-size 1
    .venv/bin/python benchmarks/bench_scheduling.py --log-length 1000   # Dask's default logs
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from cluster import connect
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
    """Samples a process's RSS (default: this one) every 50 ms in a thread."""

    def __init__(self, pid: int | None = None) -> None:
        self.proc = psutil.Process(pid or os.getpid())
        self.start = self.proc.memory_info().rss
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def now(self) -> int:
        return int(self.proc.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def mib(n: float) -> float:
    return round(n / 2**20, 1)


def measure(client: Any, n: int, window: int, settings: Settings,
            scheduler_pid: int | None = None) -> dict[str, Any]:
    """Run ``n`` simulated repositories; time, futures held and RSS of client (and scheduler)."""
    gc.collect()
    held = 0
    done = 0
    size = batch_size(n, settings)
    with PeakRSS() as rss, PeakRSS(scheduler_pid) as srss:
        start = time.perf_counter()
        for _, outcome in run_windowed(simulated_batch, batches(tasks(n), size), settings,
                                       client=client, window=window, key=batch_key):
            assert all(status == "ok" for _, status in outcome)
            done += 1
            if done % 97 == 0:
                held = max(held, len(client.futures))
        seconds = time.perf_counter() - start
        del outcome
        gc.collect()
        time.sleep(1)  # let the scheduler forget the last released tasks
        row = {"tasks": n, "batch_size": size, "window": window, "seconds": round(seconds, 2),
               "ms_per_task": round(1000 * seconds / n, 3),
               "client_rss_start_mib": mib(rss.start),
               "client_rss_peak_growth_mib": mib(rss.peak - rss.start),
               "client_rss_end_growth_mib": mib(rss.now() - rss.start),
               "max_futures_held": held}
        if scheduler_pid:
            row.update(scheduler_rss_start_mib=mib(srss.start),
                       scheduler_rss_end_growth_mib=mib(srss.now() - srss.start))
    return row


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


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as fh:
        return subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the process's own session (workers a nanny spawned included)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)


@contextmanager
def external_cluster(workers: int, threads: int) -> Iterator[tuple[str, int]]:
    """``dask scheduler`` + ``dask worker --nworkers`` on 127.0.0.1; (address, scheduler pid)."""
    dask = str(Path(sys.executable).parent / "dask")
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        folder = Path(tmp)
        sched_file = folder / "scheduler.json"
        procs = [_spawn([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                         "--no-dashboard", "--scheduler-file", str(sched_file)],
                        folder / "scheduler.log")]
        try:
            deadline = time.monotonic() + 60
            while not sched_file.exists() or not sched_file.read_text().strip():
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "scheduler.log").read_text())
                time.sleep(0.05)
            address = json.loads(sched_file.read_text())["address"]
            procs.append(_spawn([dask, "worker", address, "--nworkers", str(workers),
                                 "--nthreads", str(threads), "--host", "127.0.0.1",
                                 "--no-dashboard", "--local-directory", str(folder / "w")],
                                folder / "workers.log"))
            yield address, procs[0].pid
        finally:
            for proc in reversed(procs):
                _kill(proc)


def run_mode(mode: str, args: argparse.Namespace, settings: Settings) -> None:
    """Warm up, then measure each size (``--repeat`` times) with a client of ``mode``."""
    with external_cluster(args.workers, args.threads) if mode == "external" \
            else _local() as (address, scheduler_pid):
        with connect.get_client(address, settings) as client:
            client.wait_for_workers(args.workers, timeout=60)
            measure(client, 200, args.window, settings)  # warm-up: imports on the workers
            if args.baseline:
                print(json.dumps({"mode": mode, **baseline(client, args.baseline, settings)}),
                      flush=True)
            for _ in range(args.repeat):
                for n in args.sizes:
                    row = measure(client, n, args.window, settings, scheduler_pid)
                    print(json.dumps({"mode": mode, **row}), flush=True)


@contextmanager
def _local() -> Iterator[tuple[str, None]]:
    yield "local", None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--mode", choices=["local", "external", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=1, help="run the sizes this many times")
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=0,
                        help="repositories per task (0 = automatic, as crawl does)")
    parser.add_argument("--log-length", type=int, default=connect.LOG_LENGTH,
                        help="Dask low-level-log-length for the client (and in-process "
                             "scheduler); 1000 = Dask's default")
    parser.add_argument("--baseline", type=int, default=0,
                        help="also time N tasks submitted at once (dask's own overhead)")
    args = parser.parse_args()
    connect.LOG_LENGTH = args.log_length
    settings = Settings(out="s3://bucket/prefix", github_token="not-a-real-token",
                        batch_size=args.batch_size, n_workers=args.workers,
                        threads_per_worker=args.threads)
    for mode in ("local", "external") if args.mode == "both" else (args.mode,):
        run_mode(mode, args, settings)


if __name__ == "__main__":
    main()
