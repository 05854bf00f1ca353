"""``toolcensus status``: a finished, a stopped and an abandoned crawl, from storage alone."""

from __future__ import annotations

from pathlib import Path

from crawl_helpers import demo_papers, services, settings_for

from cluster.progress import ProgressDisplay, funnel
from crawler import manifest
from crawler.crawl import crawl
from crawler.status import STALE_SECONDS, describe, run_line


def test_status_of_a_finished_crawl_shows_the_funnel(tmp_path: Path) -> None:
    with services() as (orv, gh):
        settings = settings_for(str(tmp_path / "out"), orv, gh)
        summary = crawl(demo_papers(settings), settings)
    text = describe(settings.out)
    assert f"run {summary.run_id}: finished" in text
    assert "ICLR 2020:" in text and "accepted" in text
    assert "failed:not_found" in text  # failures by reason


def test_status_of_a_stopped_crawl_counts_fragments(tmp_path: Path) -> None:
    done = []
    with services() as (orv, gh):
        settings = settings_for(str(tmp_path / "out"), orv, gh)
        summary = crawl(demo_papers(settings), settings,
                        progress=lambda d, total: done.append(sum(d.values())),
                        stop=lambda: len(done) >= 3)
    text = describe(settings.out)
    assert f"run {summary.run_id}: cancelled" in text
    assert "this run: 3 of " in text
    assert "repositories finished: 3 of " in text
    assert "ICLR 2020:" in text  # papers are written first, so the funnel shows them


def test_abandoned_running_crawl_gets_a_hint() -> None:
    run = {"run_id": "r1", "state": "running", "updated": "2026-01-01T00:00:00+00:00",
           "unix_time": 1_000, "counts": {"tasks_submitted": 10, "tasks_done": 4}}
    lines = run_line(run, now=1_000 + STALE_SECONDS + 60)
    assert "4 of 10" in lines[1]
    assert "resumes" in lines[-1]
    assert "resumes" not in "\n".join(run_line(run, now=1_010))


def test_no_crawl_says_how_to_start_one(tmp_path: Path) -> None:
    assert "toolcensus crawl" in describe(str(tmp_path))
    assert manifest.latest(str(tmp_path)) is None


def test_funnel_stages_and_progress_line() -> None:
    stages = funnel({"ok": 5, "no_python": 1, "not_found": 2, "too_large": 1})
    assert stages["resolved"] == 7 and stages["downloaded"] == 6 and stages["analysed"] == 5
    assert stages["failed:not_found"] == 2
    line = ProgressDisplay.render({"ok": 5, "not_found": 2}, 10, 2.0)
    assert line.startswith("7/10 repositories (70%)")
    assert "failed: not_found 2" in line
