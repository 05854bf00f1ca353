"""Submit and walk away: ``crawl --detach`` hands the whole crawl to the scheduler;
the submitting process is killed; the crawl still finishes; ``--cancel`` stops one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cluster_procs import DaskProcesses, cli_env, dask_processes
from crawl_helpers import (
    VENUES,
    demo_papers,
    digests,
    fragments,
    run_state,
    services,
    settings_for,
    wait_for,
)
from s3_server import S3, s3, s3_endpoint  # noqa: F401

from crawler.crawl import crawl

pytestmark = pytest.mark.slow
TOOLCENSUS = str(Path(sys.executable).parent / "toolcensus")


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskProcesses]:
    with dask_processes(tmp_path_factory.mktemp("dask"), n_workers=2, nthreads=2) as p:
        yield p


def config(tmp_path: Path) -> str:
    path = tmp_path / "run.yaml"
    path.write_text("openreview_pace: 0\nrequests_per_second: 0\nconcurrent_downloads: 64\n"
                    "retries: 1\nbackoff_base: 0.05\nmax_retry_wait: 2\nwindow: 8\n")
    return str(path)


def submit(procs: DaskProcesses, out: str, env: dict[str, str], cfg: str) -> str:
    """Run ``crawl --detach``, SIGKILL it as soon as it printed the run id; the run id."""
    args = [TOOLCENSUS, "crawl", *VENUES, "--cluster", procs.address, "--out", out,
            "--config", cfg, "--detach"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        run_id = proc.stdout.readline().decode().strip()
        if proc.poll() is None:  # walk away: the laptop is closed
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert run_id, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    return run_id


def test_detached_crawl_finishes_after_the_submitter_is_killed(
    procs: DaskProcesses, s3: S3, tmp_path: Path  # noqa: F811
) -> None:
    out = s3.url("detached")
    with services() as (orv, gh):
        ref = settings_for(str(tmp_path / "ref"), orv, gh)
        crawl(demo_papers(ref), ref)
        expected = digests(ref.out)
        run_id = submit(procs, out, cli_env(s3.env, orv, gh), config(tmp_path))
        assert run_state(out, run_id, s3.options) in ("submitted", "running", "finished")
        wait_for(lambda: run_state(out, run_id, s3.options) in ("finished", "failed"), 120,
                 "the detached run to finish", interval=0.5)
        assert run_state(out, run_id, s3.options) == "finished", procs.logs()
        status = subprocess.run([TOOLCENSUS, "status", out], env=cli_env(s3.env, orv, gh),
                                capture_output=True, text=True, timeout=60)
    assert digests(out, s3.options) == expected
    assert status.returncode == 0, status.stderr
    assert f"run {run_id}: finished" in status.stdout


def test_cancel_stops_a_detached_crawl_cleanly(
    procs: DaskProcesses, s3: S3, tmp_path: Path  # noqa: F811
) -> None:
    from distributed import Client

    out = s3.url("cancelled")
    with services(latency=1.0) as (orv, gh):
        env = cli_env(s3.env, orv, gh)
        run_id = submit(procs, out, env, config(tmp_path))
        wait_for(lambda: fragments(out, s3.options), 120, "a first fragment", interval=0.2)
        result = subprocess.run([TOOLCENSUS, "crawl", "--cancel", run_id, "--cluster",
                                 procs.address, "--out", out], env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert f"run {run_id}: cancelled" in result.stdout
        assert run_state(out, run_id, s3.options) == "cancelled"
        with Client(procs.address, timeout="30s") as client:
            def crawl_tasks(dask_scheduler: Any) -> int:  # nested: pickled by value
                return sum(1 for k in dask_scheduler.tasks if "run_batch" in str(k)
                           or "toolcensus-driver" in str(k))

            wait_for(lambda: client.run_on_scheduler(crawl_tasks) == 0, 30,
                     "the scheduler to forget the cancelled tasks")
        n_fragments = len(fragments(out, s3.options))
    assert n_fragments < 26  # it really stopped before the end
    from crawler import storage

    assert storage.read_dataset(f"{out}/repos", s3.options) is None  # nothing half-compacted
