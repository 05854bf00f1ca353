"""The one boundary: every repository ends as ok or with a reason, pinned to its snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler import settings as settings_mod
from crawler import tasks
from crawler.crawl import plan
from crawler.loopback.github_server import GitHubServer
from crawler.pipeline import process_repo, run_task
from crawler.records import CodeLink, Paper
from crawler.settings import Settings
from crawler.tasks import RepoTask

OLD = {"requirements.txt": "torch==1.4\n", "train.py": "import torch\nimport numpy\n"}
NEW = {"requirements.txt": "torch==2.0\njax\n", "train.py": "import torch\nimport jax\n"}
REPOS = {
    "lab/pinned": NEW,
    "lab/late": OLD,
    "lab/r-only": {"a.R": "library(x)\n"},
    "lab/flaky": OLD,
}
HISTORY = {
    "lab/pinned": [
        ("b" * 40, "2021-01-01T00:00:00Z", NEW),
        ("a" * 40, "2020-03-01T00:00:00Z", OLD),
    ],
    "lab/late": [("c" * 40, "2020-09-01T00:00:00Z")],
}
UNTIL = "2020-05-01T23:59:59Z"


@pytest.fixture(scope="module")
def gh() -> Iterator[GitHubServer]:
    faults = {"lab/flaky": ["api:500*100"]}
    with GitHubServer(REPOS, history=HISTORY, faults=faults) as server:
        yield server


def _settings(gh: GitHubServer, out: Path) -> Settings:
    return settings_mod.load(
        env={}, out=str(out), github_api_url=gh.api_url, github_archive_url=gh.archive_url,
        retries=1, backoff_base=0.01, max_retry_wait=0.5,
    )


def _task(name: str, until: str | None = UNTIL) -> RepoTask:
    link = CodeLink(paper_id=f"p-{name}", url=f"https://github.com/lab/{name}", source="code",
                    host="github", repo=f"github.com/lab/{name}")
    return RepoTask(f"p-{name}", "ICLR", 2020, link, until)


def test_repository_is_read_at_the_snapshot_date(gh: GitHubServer, tmp_path: Path) -> None:
    result = process_repo(_task("pinned"), _settings(gh, tmp_path))
    assert (result.status, result.sha, result.snapshot) == ("ok", "a" * 40, "publication")
    names = {t.name for t in result.extraction.tools}
    assert "torch" in names and "jax" not in names
    assert {t.spec for t in result.extraction.tools if t.name == "torch"} == {"==1.4"}
    head = process_repo(_task("pinned", until=None), _settings(gh, tmp_path))
    assert (head.sha, head.snapshot) == ("b" * 40, "head")
    assert "jax" in {t.name for t in head.extraction.tools}


def test_repository_created_after_the_date_falls_forward(gh: GitHubServer, tmp_path: Path) -> None:
    result = process_repo(_task("late"), _settings(gh, tmp_path))
    assert (result.status, result.sha, result.snapshot) == ("ok", "c" * 40, "after-publication")


@pytest.mark.parametrize(
    ("name", "status", "stage"),
    [("missing", "not_found", "fetch"), ("r-only", "no_python", "extract"),
     ("flaky", "server_error", "fetch")],
)
def test_failures_become_statuses(
    gh: GitHubServer, tmp_path: Path, name: str, status: str, stage: str
) -> None:
    result = process_repo(_task(name), _settings(gh, tmp_path))
    assert (result.status, result.stage) == (status, stage)
    assert result.error


def test_fragments_mark_transient_failures_for_retry(gh: GitHubServer, tmp_path: Path) -> None:
    settings = _settings(gh, tmp_path)
    flaky, ok = _task("flaky"), _task("late")
    assert run_task(flaky, settings) == (flaky.key, "server_error")
    assert run_task(ok, settings) == (ok.key, "ok")
    final, retry = tasks.finished_keys(settings)
    assert (final, retry) == ({ok.key}, {flaky.key})
    rows = tasks.load_fragments(settings, {flaky.key, ok.key})
    assert sorted(r["repo"]["status"] for r in rows) == ["ok", "server_error"]


def test_plan_records_unfetchable_links_without_a_task(tmp_path: Path) -> None:
    papers = [
        Paper("p1", "ICLR", 2020, "t1", code_urls=("https://github.com/lab/pinned",),
              snapshot_date=UNTIL),
        Paper("p2", "ICLR", 2020, "t2", code_urls=("https://drive.google.com/file/d/x",)),
        Paper("p3", "ICLR", 2020, "t3"),
    ]
    settings = settings_mod.load(env={}, out=str(tmp_path))
    crawl_plan = plan(papers, settings)
    assert [(t.paper_id, t.until) for t in crawl_plan.tasks] == [("p1", UNTIL)]
    assert [(r.paper_id, r.status) for r, _ in crawl_plan.direct] == [("p2", "unsupported_host")]
    head = plan(papers, settings.replace(snapshot="head"))
    assert head.tasks[0].until is None


def test_kept_archives_are_reused_by_sha(gh: GitHubServer, tmp_path: Path) -> None:
    settings = _settings(gh, tmp_path).replace(keep_archives=True)
    first = process_repo(_task("late"), settings)
    kept = list((tmp_path / "_archives" / "github.com" / "lab" / "late").glob("*.tar.gz"))
    assert [p.name for p in kept] == [f"{'c' * 40}.tar.gz"]
    downloads = gh.hits("/codeload/lab/late/")
    assert downloads >= 1
    second = process_repo(_task("late"), settings)
    assert gh.hits("/codeload/lab/late/") == downloads  # no second download
    assert second.extraction == first.extraction and second.sha == first.sha


def test_token_appears_in_no_output_of_a_crawl(
    gh: GitHubServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from crawler.crawl import crawl

    token = "ghp_SECRETTOKEN0123456789abcdef"
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    settings = _settings(gh, out).replace(github_token=token)
    papers = [Paper(f"p{i}", "ICLR", 2020, f"t{i}", code_urls=(f"https://github.com/lab/{n}",),
                    snapshot_date=UNTIL)
              for i, n in enumerate(["pinned", "missing", "flaky", "r-only"])]
    summary = crawl(papers, settings)
    assert set(summary.statuses) == {"ok", "not_found", "server_error", "no_python"}
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any("_runs" in p.parts for p in files)
    for path in files:
        assert token.encode() not in path.read_bytes(), path
    assert caplog.text and token not in caplog.text
