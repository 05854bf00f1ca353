"""The loopback server itself: codeload layout, commit lists, faults, random mode."""

from __future__ import annotations

import io
import tarfile

import requests

from crawler.loopback.github_server import (
    DEFAULT_DATE,
    Fault,
    GitHubServer,
    build_archive,
    content_sha,
)

FILES: dict[str, str | bytes] = {"b.py": "import b\n", "a/x.py": b"\x00bytes", "README.md": "hi"}


def test_archive_members_live_under_repo_dash_sha() -> None:
    with GitHubServer({"own/proj": FILES}) as gh:
        sha = requests.get(f"{gh.api_url}/repos/own/proj/commits", timeout=5).json()[0]["sha"]
        body = requests.get(f"{gh.archive_url}/own/proj/tar.gz/{sha}", timeout=5).content
    assert sha == content_sha(FILES)
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        names = tar.getnames()
        member = tar.extractfile(f"proj-{sha}/a/x.py")
        assert member is not None and member.read() == b"\x00bytes"
    assert names == [f"proj-{sha}/{p}" for p in sorted(FILES)]


def test_archives_are_deterministic() -> None:
    assert build_archive(FILES, "t") == build_archive(dict(reversed(FILES.items())), "t")


def test_commit_list_filters_and_paginates() -> None:
    history = {"o/r": [("1" * 40, "2018-01-01T00:00:00Z"), ("2" * 40, "2019-01-01T00:00:00Z"),
                       ("3" * 40, "2020-01-01T00:00:00Z")]}
    with GitHubServer({"o/r": FILES}, history=history) as gh:
        url = f"{gh.api_url}/repos/o/r/commits"
        page = requests.get(url, params={"since": "2018-06-01T00:00:00Z", "per_page": "1"},
                            timeout=5)
        last = requests.get(page.links["last"]["url"], timeout=5).json()
        until = requests.get(url, params={"until": "2019-06-01T00:00:00Z"}, timeout=5).json()
    assert [c["sha"][0] for c in page.json()] == ["3"]
    assert [c["sha"][0] for c in last] == ["2"]
    assert [c["sha"][0] for c in until] == ["2", "1"]
    assert until[0]["commit"]["committer"]["date"] == "2019-01-01T00:00:00Z"


def test_default_commit_date() -> None:
    with GitHubServer({"o/r": FILES}) as gh:
        data = requests.get(f"{gh.api_url}/repos/o/r/commits", timeout=5).json()
    assert data[0]["commit"]["committer"]["date"] == DEFAULT_DATE


def test_counted_fault_then_normal_and_request_log() -> None:
    with GitHubServer({"o/r": FILES}, faults={"o/r": ["api:503*2"]}) as gh:
        url = f"{gh.api_url}/repos/o/r/commits"
        statuses = [requests.get(url, timeout=5).status_code for _ in range(3)]
        assert gh.requests == [("GET", "/api/repos/o/r/commits")] * 3
        assert [r.fault for r in gh.log] == ["503", "503", ""]
    assert statuses == [503, 503, 200]


def test_rate_limit_headers() -> None:
    with GitHubServer({"o/r": FILES, "o/s": FILES}, faults={"o/r": "ratelimit", "o/s": "429"},
                      retry_after=7, ratelimit_reset=60) as gh:
        limited = requests.get(f"{gh.api_url}/repos/o/r/commits", timeout=5)
        too_many = requests.get(f"{gh.api_url}/repos/o/s/commits", timeout=5)
    assert limited.status_code == 403 and limited.headers["X-RateLimit-Remaining"] == "0"
    assert int(limited.headers["X-RateLimit-Reset"]) > 0
    assert too_many.status_code == 429 and too_many.headers["Retry-After"] == "7"


def test_random_faults_hit_about_the_asked_fraction_and_are_seeded() -> None:
    repos = {f"o/r{i}": FILES for i in range(200)}

    def run(seed: int) -> list[int]:
        with GitHubServer(repos, random_fault_rate=0.2, seed=seed) as gh:
            session = requests.Session()
            out = []
            for i in range(200):
                try:
                    out.append(session.get(f"{gh.api_url}/repos/o/r{i}/commits", timeout=5)
                               .status_code)
                except requests.ConnectionError:
                    session = requests.Session()
                    out.append(-1)
            return out

    first, again = run(1), run(1)
    failed = sum(1 for s in first if s != 200)
    assert first == again
    assert 20 <= failed <= 60
    assert run(2) != first


def test_fault_spec_parsing() -> None:
    assert Fault.parse("archive:500*3") == Fault("500", "archive", 3, "")
    assert Fault.parse("redirect:a/b") == Fault("redirect", "any", None, "a/b")
    assert Fault.parse("truncated").target == "archive"


def test_gitlab_paths() -> None:
    with GitHubServer({"grp/sub/proj": FILES}) as gh:
        base = f"{gh.gitlab_url}/api/v4/projects/grp%2Fsub%2Fproj/repository"
        commits = requests.get(f"{base}/commits", params={"per_page": "1"}, timeout=5).json()
        sha = commits[0]["id"]
        body = requests.get(f"{base}/archive.tar.gz", params={"sha": sha}, timeout=5).content
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        assert tar.getnames()[0] == f"proj-{sha}-{sha}/README.md"
