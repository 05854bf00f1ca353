"""HttpClient against the real loopback server: every named misbehaviour → one reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import errors
from crawler import http as http_module
from crawler.http import HttpClient, error_for_status, safe_url
from crawler.loopback.github_server import GitHubServer, content_sha
from crawler.politeness import local_limiter
from crawler.settings import Settings

REPO = {"train.py": "import torch\n", "README.md": "# demo\n"}
SHA = content_sha(REPO)


def fast_settings(gh: GitHubServer, **extra: Any) -> Settings:
    """Small retries and waits so that the suite stays fast."""
    base: dict[str, Any] = dict(
        github_api_url=gh.api_url, github_archive_url=gh.archive_url, gitlab_url=gh.gitlab_url,
        retries=2, backoff_base=0.001, max_retry_wait=3.0, connect_timeout=2.0,
        read_timeout=0.3, requests_per_second=0,
    )
    return Settings(**{**base, **extra})


def client(gh: GitHubServer, **extra: Any) -> HttpClient:
    return HttpClient(fast_settings(gh, **extra), local_limiter(4, 0))


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[GitHubServer] = []

    def start(faults: dict[str, Any] | None = None, **kw: Any) -> GitHubServer:
        gh = GitHubServer({"o/r": REPO, "o/new": REPO}, faults=faults, **kw).start()
        started.append(gh)
        return gh

    yield start
    for gh in started:
        gh.stop()


def commits_url(gh: GitHubServer, name: str = "o/r") -> str:
    return f"{gh.api_url}/repos/{name}/commits"


def archive(gh: GitHubServer, name: str = "o/r") -> str:
    return f"{gh.archive_url}/{name}/tar.gz/{SHA}"


def test_get_json_returns_data_and_headers(serve: Any) -> None:
    gh = serve()
    with client(gh) as http:
        data, headers = http.get_json(commits_url(gh), {"per_page": "1"})
    assert data[0]["sha"] == SHA
    assert headers["Content-Type"].startswith("application/json")


PERMANENT = [
    ("404", errors.NotFound, "not_found"),
    ("410", errors.Gone, "gone"),
    ("451", errors.Unavailable, "unavailable"),
    ("private", errors.Private, "private"),
    ("empty", errors.EmptyRepository, "empty_repository"),
]


@pytest.mark.parametrize(("fault", "cls", "reason"), PERMANENT)
def test_permanent_failures_are_not_retried(
    serve: Any, fault: str, cls: type[errors.CrawlError], reason: str
) -> None:
    gh = serve({"o/r": fault})
    with client(gh) as http, pytest.raises(cls) as info:
        http.get_json(commits_url(gh))
    assert info.value.reason == reason
    assert gh.hits("/repos/o/r/commits") == 1


def test_unknown_repository_is_not_found(serve: Any) -> None:
    gh = serve()
    with client(gh) as http, pytest.raises(errors.NotFound):
        http.get_json(commits_url(gh, "o/absent"))


def test_server_errors_then_success_are_retried(serve: Any) -> None:
    gh = serve({"o/r": "500*2"})
    with client(gh) as http:
        data, _ = http.get_json(commits_url(gh))
    assert data[0]["sha"] == SHA
    assert gh.hits("/repos/o/r/commits") == 3


def test_persistent_server_error_gives_up_after_the_retry_budget(serve: Any) -> None:
    gh = serve({"o/r": "503"})
    with client(gh, retries=3) as http, pytest.raises(errors.ServerError) as info:
        http.get_json(commits_url(gh))
    assert info.value.reason == "server_error"
    assert gh.hits("/repos/o/r/commits") == 4


def test_connection_reset_is_retried_then_reported(serve: Any) -> None:
    gh = serve({"o/r": "reset*1", "o/new": "reset"})
    with client(gh) as http:
        assert http.get_json(commits_url(gh))[0][0]["sha"] == SHA
        with pytest.raises(errors.ConnectionFailed) as info:
            http.get_json(commits_url(gh, "o/new"))
    assert info.value.reason == "connection_error"
    assert gh.hits("/repos/o/r/commits") == 2
    assert gh.hits("/repos/o/new/commits") == 3


def test_slow_server_times_out_and_is_retried(serve: Any) -> None:
    gh = serve({"o/r": "slow*1", "o/new": "slow"}, slow_seconds=1.0)
    with client(gh, retries=1) as http:
        assert http.get_json(commits_url(gh))[0][0]["sha"] == SHA
        with pytest.raises(errors.FetchTimeout) as info:
            http.get_json(commits_url(gh, "o/new"))
    assert info.value.reason == "timeout"
    assert gh.hits("/repos/o/new/commits") == 2


def test_retry_after_is_honoured_under_the_ceiling(serve: Any) -> None:
    gh = serve({"o/r": "429*1"}, retry_after=1)
    with client(gh, max_retry_wait=2.0) as http:
        assert http.get_json(commits_url(gh))[0][0]["sha"] == SHA
    log = [r for r in gh.log if r.path.endswith("/commits")]
    assert [r.status for r in log] == [429, 200]
    assert log[1].time - log[0].time >= 0.9  # the wait really happened


def test_retry_after_over_the_ceiling_is_rate_limited_at_once(serve: Any) -> None:
    gh = serve({"o/r": "429"}, retry_after=600)
    with client(gh, max_retry_wait=2.0) as http, pytest.raises(errors.RateLimited) as info:
        http.get_json(commits_url(gh))
    assert info.value.reason == "rate_limited"
    assert "GITHUB_TOKEN" in str(info.value)  # says what to do when no token is set
    assert gh.hits("/repos/o/r/commits") == 1


def test_rate_limit_without_token_is_logged_once(
    serve: Any, caplog: pytest.LogCaptureFixture
) -> None:
    http_module._WARNED.clear()
    gh = serve({"o/r": "429", "o/new": "429"}, retry_after=600)
    with client(gh, max_retry_wait=1.0) as http:
        for name in ("o/r", "o/new", "o/r"):
            with pytest.raises(errors.RateLimited):
                http.get_json(commits_url(gh, name))
    warnings = [r for r in caplog.records if "GITHUB_TOKEN" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"


def test_exhausted_quota_waits_for_reset_then_succeeds(serve: Any) -> None:
    gh = serve({"o/r": "ratelimit*1"}, ratelimit_reset=1)
    with client(gh, max_retry_wait=3.0) as http:
        assert http.get_json(commits_url(gh))[0][0]["sha"] == SHA
    assert [r.status for r in gh.log] == [403, 200]


def test_exhausted_quota_past_the_ceiling_stops_asking(serve: Any) -> None:
    gh = serve({"o/r": "ratelimit", "o/new": "ratelimit"}, ratelimit_reset=3600)
    with client(gh, max_retry_wait=2.0) as http:
        with pytest.raises(errors.RateLimited):
            http.get_json(commits_url(gh))
        with pytest.raises(errors.RateLimited):  # the cool-off answers without a request
            http.get_json(commits_url(gh, "o/new"))
    assert gh.request_count == 1


def test_redirect_for_a_renamed_repository_is_followed(serve: Any) -> None:
    gh = serve({"o/old": "redirect:o/new"})
    with client(gh) as http:
        data, _ = http.get_json(commits_url(gh, "o/old"))
    assert data[0]["sha"] == SHA
    assert [r.status for r in gh.log] == [301, 200]


def test_download_writes_the_body(serve: Any, tmp_path: Path) -> None:
    gh = serve()
    dest = tmp_path / "a.tar.gz"
    with client(gh) as http:
        n = http.download(archive(gh), str(dest), 10_000)
    assert n == dest.stat().st_size > 0
    assert dest.read_bytes()[:2] == b"\x1f\x8b"


@pytest.mark.parametrize("fault", ["huge", "huge_nolength"])
def test_download_over_the_cap_aborts_early(serve: Any, tmp_path: Path, fault: str) -> None:
    gh = serve({"o/r": fault}, huge_bytes=8 * 1024 * 1024)
    dest = tmp_path / "a.tar.gz"
    with client(gh) as http, pytest.raises(errors.TooLarge) as info:
        http.download(archive(gh), str(dest), 256 * 1024)
    assert info.value.reason == "too_large"
    assert not dest.exists() and not list(tmp_path.iterdir())  # no partial file left
    assert gh.hits("/codeload/") == 1  # permanent: not retried


def test_wrong_content_length_is_retried(serve: Any, tmp_path: Path) -> None:
    gh = serve({"o/r": "badlength*1", "o/new": "badlength"})
    with client(gh) as http:
        assert http.download(archive(gh), str(tmp_path / "a"), 10_000) > 0
        with pytest.raises(errors.ConnectionFailed):
            http.download(archive(gh, "o/new"), str(tmp_path / "b"), 10_000)
    assert gh.hits("/codeload/o/r/") == 2
    assert gh.hits("/codeload/o/new/") == 3


def test_statuses_map_to_reasons() -> None:
    url = "https://api.github.com/repos/o/r/commits"
    cases = {404: "not_found", 410: "gone", 451: "unavailable", 403: "private",
             409: "empty_repository", 429: "rate_limited", 500: "server_error",
             502: "server_error", 408: "server_error", 401: "bad_credentials"}
    for status, reason in cases.items():
        exc = error_for_status(status, {}, url)
        assert exc is not None and exc.reason == reason, status
    limited = error_for_status(403, {"X-RateLimit-Remaining": "0"}, url)
    assert limited is not None and limited.reason == "rate_limited"
    assert error_for_status(200, {}, url) is None


def test_safe_url_drops_userinfo_and_query() -> None:
    assert safe_url("https://u:p@h.example:8443/a/b?token=x") == "https://h.example:8443/a/b"
