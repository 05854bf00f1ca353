"""Commit pinning and archive download against the loopback GitHub/GitLab server."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import errors
from crawler.fetch import download_archive, gzip_problem, resolve_commit, utc_iso
from crawler.http import HttpClient
from crawler.loopback.github_server import GitHubServer, RepoCommit, content_sha
from crawler.politeness import local_limiter
from crawler.records import CodeLink, Commit
from crawler.settings import Settings

OLD = {"train.py": "import tensorflow\n"}
NEW = {"train.py": "import torch\n"}
HISTORY = {
    "lab/model": [
        RepoCommit("a" * 40, "2019-03-01T10:00:00Z", OLD),
        RepoCommit("b" * 40, "2020-02-01T10:00:00Z", OLD),
        RepoCommit("c" * 40, "2021-07-01T10:00:00Z", NEW),
    ],
    "lab/late": [
        RepoCommit("d" * 40, "2020-09-01T00:00:00Z"),
        RepoCommit("e" * 40, "2020-10-01T00:00:00Z"),
        RepoCommit("f" * 40, "2021-01-01T00:00:00Z"),
    ],
    "lab/empty": [],
}
REPOS = {"lab/model": NEW, "lab/late": NEW, "lab/empty": {}, "lab/plain": OLD, "lab/cut": OLD,
         "lab/html": OLD, "lab/big": OLD}
FAULTS = {"lab/old-name": "redirect:lab/model", "lab/cut": "truncated*1",
          "lab/html": "notgzip", "lab/big": "huge", "lab/broken": "truncated"}
ICLR_2020_END = "2020-05-01T23:59:59Z"


@pytest.fixture(scope="module")
def gh() -> Iterator[GitHubServer]:
    with GitHubServer({**REPOS, "lab/broken": OLD}, history=HISTORY, faults=FAULTS,
                      huge_bytes=2 * 1024 * 1024) as server:
        yield server


@pytest.fixture
def http(gh: GitHubServer) -> Iterator[HttpClient]:
    settings = Settings(
        github_api_url=gh.api_url, github_archive_url=gh.archive_url, gitlab_url=gh.gitlab_url,
        retries=2, backoff_base=0.001, max_retry_wait=1.0, read_timeout=2.0,
        max_archive_bytes=512 * 1024, requests_per_second=0,
    )
    with HttpClient(settings, local_limiter(4, 0)) as client:
        yield client


def link(name: str, host: str = "github") -> CodeLink:
    domain = {"github": "github.com", "gitlab": "gitlab.com"}.get(host, host)
    return CodeLink("p1", f"https://{domain}/{name}", "code", host, f"{domain}/{name}")


@pytest.mark.parametrize("host", ["github", "gitlab"])
def test_publication_snapshot_is_the_newest_commit_before_the_date(http: Any, host: str) -> None:
    commit = resolve_commit(link("lab/model", host), ICLR_2020_END, http)
    domain = "github.com" if host == "github" else "gitlab.com"
    assert commit == Commit(f"{domain}/lab/model", "b" * 40, "2020-02-01T10:00:00Z", "publication")


@pytest.mark.parametrize("host", ["github", "gitlab"])
def test_head_snapshot_is_the_newest_commit(http: Any, host: str) -> None:
    commit = resolve_commit(link("lab/model", host), None, http)
    assert (commit.sha, commit.snapshot) == ("c" * 40, "head")


@pytest.mark.parametrize("host", ["github", "gitlab"])
def test_no_commit_by_the_date_falls_back_to_the_first_later_one(
    http: Any, gh: GitHubServer, host: str
) -> None:
    before = gh.request_count
    commit = resolve_commit(link("lab/late", host), ICLR_2020_END, http)
    assert (commit.sha, commit.date, commit.snapshot) == (
        "d" * 40, "2020-09-01T00:00:00Z", "after-publication")
    assert gh.request_count - before == 3  # until, since, since's last page


def test_repository_without_history_gets_the_default_commit(http: Any) -> None:
    commit = resolve_commit(link("lab/plain"), ICLR_2020_END, http)
    assert (commit.sha, commit.date) == (content_sha(OLD), "2019-06-01T00:00:00Z")


@pytest.mark.parametrize("host", ["github", "gitlab"])
def test_empty_repository(http: Any, host: str) -> None:
    with pytest.raises(errors.EmptyRepository):
        resolve_commit(link("lab/empty", host), ICLR_2020_END, http)


def test_renamed_repository_is_followed(http: Any) -> None:
    commit = resolve_commit(link("lab/old-name"), ICLR_2020_END, http)
    assert commit.sha == "b" * 40 and commit.repo == "github.com/lab/old-name"


def test_unsupported_host(http: Any) -> None:
    with pytest.raises(errors.UnsupportedHost):
        resolve_commit(link("lab/model", "bitbucket.org"), None, http)


def members(path: str) -> list[str]:
    with tarfile.open(path) as tar:
        return tar.getnames()


@pytest.mark.parametrize(("host", "top"), [("github", "model-{sha}"),
                                           ("gitlab", "model-{sha}-{sha}")])
def test_archive_is_the_pinned_content(http: Any, tmp_path: Path, host: str, top: str) -> None:
    commit = resolve_commit(link("lab/model", host), ICLR_2020_END, http)
    archive = download_archive(commit, str(tmp_path), http)
    assert archive.commit == commit and archive.nbytes == Path(archive.path).stat().st_size
    assert members(archive.path) == [f"{top.format(sha=commit.sha)}/train.py"]
    with tarfile.open(archive.path) as tar:
        member = tar.extractfile(tar.getmembers()[0])
        assert member is not None and member.read() == b"import tensorflow\n"


def test_truncated_gzip_is_downloaded_again(http: Any, gh: GitHubServer, tmp_path: Path) -> None:
    commit = resolve_commit(link("lab/cut"), None, http)
    archive = download_archive(commit, str(tmp_path), http)
    assert gzip_problem(archive.path) is None
    assert gh.hits("/codeload/lab/cut/") == 2


def test_always_truncated_gzip_is_corrupt(http: Any, gh: GitHubServer, tmp_path: Path) -> None:
    commit = resolve_commit(link("lab/broken"), None, http)
    with pytest.raises(errors.CorruptArchive) as info:
        download_archive(commit, str(tmp_path), http)
    assert info.value.reason == "corrupt_archive" and "truncated" in str(info.value)
    assert gh.hits("/codeload/lab/broken/") == 3
    assert list(tmp_path.iterdir()) == []


def test_not_gzip_is_corrupt_at_once(http: Any, gh: GitHubServer, tmp_path: Path) -> None:
    commit = resolve_commit(link("lab/html"), None, http)
    with pytest.raises(errors.CorruptArchive, match="not gzip"):
        download_archive(commit, str(tmp_path), http)
    assert gh.hits("/codeload/lab/html/") == 1


def test_huge_archive_is_too_large(http: Any, gh: GitHubServer, tmp_path: Path) -> None:
    commit = resolve_commit(link("lab/big"), None, http)
    with pytest.raises(errors.TooLarge):
        download_archive(commit, str(tmp_path), http)
    assert gh.hits("/codeload/lab/big/") == 1


def test_unknown_sha_is_not_found(http: Any, tmp_path: Path) -> None:
    with pytest.raises(errors.NotFound):
        download_archive(Commit("github.com/lab/model", "9" * 40, "", "head"), str(tmp_path), http)


def test_utc_iso_normalises_offsets() -> None:
    assert utc_iso("2020-05-01T23:59:59Z") == "2020-05-01T23:59:59Z"
    assert utc_iso("2019-06-01T02:00:00.000+02:00") == "2019-06-01T00:00:00Z"
