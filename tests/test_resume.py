"""Resume and idempotency: re-runs skip finished repositories without a request,
and a crawl whose client was SIGKILLed halfway ends identical to an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cluster_procs import cli_env, kill
from crawl_helpers import (
    VENUES,
    demo_papers,
    digests,
    fragments,
    repos_requested,
    run_state,
    services,
    settings_for,
    wait_for,
)
from s3_server import S3, s3, s3_endpoint  # noqa: F401

from crawler import manifest
from crawler.crawl import crawl, plan
from crawler.demo.repos import OWNER

TOOLCENSUS = str(Path(sys.executable).parent / "toolcensus")


def test_rerun_skips_finished_repositories_without_a_request(tmp_path: Path) -> None:
    with services() as (orv, gh):
        settings = settings_for(str(tmp_path / "out"), orv, gh)
        papers = demo_papers(settings)
        first = crawl(papers, settings)
        before = digests(settings.out)
        n = gh.request_count
        assert first.tasks > 0 and n > 0
        second = crawl(papers, settings)
        assert gh.request_count == n  # not one request for a finished repository
        assert (second.tasks, second.skipped) == (0, first.tasks)
        assert digests(settings.out) == before  # same bytes, no duplicated row
        doc = manifest.read(settings.out, second.run_id)
        assert doc is not None and doc["state"] == "finished"
        assert doc["counts"]["tasks_skipped_as_done"] == first.tasks


def test_fresh_fetches_everything_again(tmp_path: Path) -> None:
    with services() as (orv, gh):
        settings = settings_for(str(tmp_path / "out"), orv, gh)
        papers = demo_papers(settings)
        first = crawl(papers, settings)
        before, n = digests(settings.out), gh.request_count
        again = crawl(papers, settings.replace(fresh=True))
        assert again.tasks == first.tasks and gh.request_count == 2 * n
        assert digests(settings.out) == before


def test_transient_failures_are_retried_by_the_next_run_only(tmp_path: Path) -> None:
    flaky = f"{OWNER}/pt-classifier"
    with services() as (orv, gh):
        gh.faults = {}
        settings = settings_for(str(tmp_path / "out"), orv, gh)
        papers = demo_papers(settings)
        ref = crawl(papers, settings.replace(out=str(tmp_path / "ref")))
        assert ref.statuses["ok"] > 0
        from crawler.loopback.github_server import Fault

        gh.faults[flaky] = [Fault.parse("api:503*2")]  # both attempts of the next run fail
        first = crawl(papers, settings)
        assert first.statuses["server_error"] == 1
        start = gh.request_count
        second = crawl(papers, settings)
        assert repos_requested(gh, start) == {flaky}
        assert second.tasks == 1 and second.statuses["server_error"] == 0
        assert digests(settings.out) == digests(str(tmp_path / "ref"))


def write_config(path: Path) -> str:
    path.write_text("openreview_pace: 0\nrequests_per_second: 0\nretries: 1\n"
                    "backoff_base: 0.05\nmax_retry_wait: 2\nwindow: 8\n", encoding="utf-8")
    return str(path)


@pytest.mark.slow
def test_killed_client_then_rerun_equals_uninterrupted_crawl(
    s3: S3, tmp_path: Path  # noqa: F811
) -> None:
    out = s3.url("killed")
    config = write_config(tmp_path / "run.yaml")
    with services() as (orv, gh):
        ref = settings_for(str(tmp_path / "ref"), orv, gh)
        papers = demo_papers(ref)
        crawl(papers, ref)
        expected = digests(ref.out)
        repo_of = {t.key: t.link.repo.removeprefix("github.com/") for t in plan(papers, ref).tasks}
        args = [TOOLCENSUS, "crawl", *VENUES, "--cluster", "none", "--out", out,
                "--config", config]
        env = cli_env(s3.env, orv, gh)
        gh.latency = 0.2  # each repository takes ~0.4 s: the kill lands halfway
        log = open(tmp_path / "first.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            wait_for(lambda: len(fragments(out, s3.options)) >= 5 or proc.poll() is not None,
                     120, "five fragments")
            os.killpg(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL, (tmp_path / "first.log").read_text()
        finally:
            kill(proc)
            log.close()
        done = {u.rsplit("/", 1)[-1].removesuffix(".json") for u in fragments(out, s3.options)}
        assert 5 <= len(done) < len(repo_of)
        assert run_state(out, manifest.latest(out, s3.options)["run_id"], s3.options) == "running"
        gh.latency = 0.0
        start = gh.request_count
        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
        assert second.returncode == 0, second.stderr
        refetched = repos_requested(gh, start)
    assert digests(out, s3.options) == expected
    # exactly the repositories of the unfinished tasks were requested again
    assert refetched == {repo for key, repo in repo_of.items() if key not in done}


def test_a_cut_short_fragment_is_never_dropped_and_is_redone(tmp_path: Path) -> None:
    with services() as (orv, gh):
        settings = settings_for(str(tmp_path / "out"), orv, gh)
        papers = demo_papers(settings)
        crawl(papers, settings)
        expected = digests(settings.out)
        victim = Path(fragments(settings.out)[0].removeprefix("file://"))
        victim.write_bytes(victim.read_bytes()[:40])  # a write cut short by a killed process
        second = crawl(papers, settings)
        assert second.statuses["bug:LostFragment"] == 1  # recorded, not silently dropped
        start = gh.request_count
        third = crawl(papers, settings)
        assert third.tasks == 1 and len(repos_requested(gh, start)) == 1
    assert digests(settings.out) == expected
