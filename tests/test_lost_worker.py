"""A real scheduler and two workers on loopback; one is killed with SIGKILL mid-crawl."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cluster_procs import DaskProcesses, dask_processes
from crawl_helpers import demo_papers, digests, services, settings_for
from s3_server import S3, s3, s3_endpoint  # noqa: F401

from crawler.crawl import crawl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskProcesses]:
    with dask_processes(tmp_path_factory.mktemp("dask"), n_workers=2, nthreads=2) as p:
        yield p


def test_crawl_survives_a_killed_worker(
    procs: DaskProcesses, s3: S3, tmp_path: Path  # noqa: F811
) -> None:
    from distributed import Client

    def lost_tasks(dask_scheduler: Any) -> list[Any]:  # nested: pickled by value
        """Tasks that were processing on a worker when it died (the scheduler's record)."""
        return [t[0] for t in dask_scheduler.transition_log
                if t[1] == "processing" and "worker-cleanup" in str(t[4])]

    with services() as (orv, gh):
        ref = settings_for(str(tmp_path / "ref"), orv, gh)
        papers = demo_papers(ref)
        crawl(papers, ref)  # the undisturbed crawl, in-process (same bytes wherever written)
        expected = digests(ref.out)
        assert any(k.startswith("tools/") for k in expected)

        gh.latency = 0.15  # slow enough that the worker dies holding tasks
        victim = procs.workers[0]
        killed: list[int] = []

        def kill_after_four(done: Counter[str], total: int) -> None:
            if sum(done.values()) >= 4 and not killed:
                os.kill(victim.pid, signal.SIGKILL)
                killed.append(victim.pid)

        run = settings_for(s3.url("run"), orv, gh, s3.options)
        with Client(procs.address, timeout="30s") as client:
            summary = crawl(papers, run, client=client, progress=kill_after_four)
            assert victim.wait(timeout=30) == -signal.SIGKILL
            assert len(client.scheduler_info()["workers"]) == 1
            lost = client.run_on_scheduler(lost_tasks)
        assert killed, procs.logs()
        assert lost, "the killed worker was not running anything: the test proved nothing"
        assert not any(s.startswith("bug:") for s in summary.statuses), summary.statuses
        assert digests(run.out, s3.options) == expected
