"""Real Dask processes on loopback for tests: ``dask scheduler`` and ``dask worker``.

Every process starts in its own session and is killed by its own process id
(the whole session, so nothing a worker spawned survives) when the context
exits, whether the test passed or not.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
# A worker killed while holding a politeness lease gives it back quickly.
SCHEDULER_ENV = {"DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_TIMEOUT": "3s",
                 "DASK_DISTRIBUTED__SCHEDULER__LOCKS__LEASE_VALIDATION_INTERVAL": "1s"}


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: no AWS_/TOOLCENSUS_/DASK_ variables leak in."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def cli_env(s3_env: Mapping[str, str], orv: Any, gh: Any) -> dict[str, str]:
    """What a user would export to run the CLI against the S3, OpenReview and GitHub servers."""
    return base_env({
        **s3_env,
        "OPENREVIEW_API_BASEURL": orv.url_v1, "OPENREVIEW_API_BASEURL_V2": orv.url_v2,
        "TOOLCENSUS_GITHUB_API_URL": gh.api_url, "TOOLCENSUS_GITHUB_ARCHIVE_URL": gh.archive_url,
        "TOOLCENSUS_GITLAB_URL": gh.gitlab_url,
    })


def spawn(args: list[str], log: Path, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "ab") as fh:
        return subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=dict(env),
                                start_new_session=True)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process's own session (it was started with ``start_new_session``)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)


@dataclass
class DaskProcesses:
    """A scheduler and its workers, as subprocesses."""

    folder: Path
    scheduler: subprocess.Popen[bytes]
    address: str
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_worker(self, name: str, nthreads: int = 2) -> subprocess.Popen[bytes]:
        proc = spawn([str(BIN / "dask"), "worker", self.address, "--nthreads", str(nthreads),
                      "--host", "127.0.0.1", "--no-dashboard", "--no-nanny", "--name", name,
                      "--local-directory", str(self.folder / name)],
                     self.folder / f"{name}.log", base_env())
        self.workers.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.folder.glob("*.log")))

    def close(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            kill(proc)


@contextmanager
def dask_processes(folder: Path, n_workers: int = 2, nthreads: int = 2,
                   timeout: float = 60) -> Iterator[DaskProcesses]:
    """Start ``dask scheduler`` + ``n_workers`` × ``dask worker --no-nanny`` on 127.0.0.1."""
    from distributed import Client

    folder.mkdir(parents=True, exist_ok=True)
    sched_file = folder / "scheduler.json"
    scheduler = spawn([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                       "--no-dashboard", "--scheduler-file", str(sched_file)],
                      folder / "scheduler.log", base_env(SCHEDULER_ENV))
    procs: DaskProcesses | None = None
    try:
        deadline = time.monotonic() + timeout
        while not sched_file.exists() or not sched_file.read_text().strip():
            if scheduler.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dask scheduler did not start:\n"
                                   + (folder / "scheduler.log").read_text())
            time.sleep(0.05)
        address = json.loads(sched_file.read_text())["address"]
        procs = DaskProcesses(folder, scheduler, address)
        for i in range(n_workers):
            procs.add_worker(f"w{i}", nthreads)
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(n_workers, timeout=timeout)
        yield procs
    finally:
        if procs is not None:
            procs.close()
        else:
            kill(scheduler)
