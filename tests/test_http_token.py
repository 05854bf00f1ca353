"""The GitHub token is sent where it belongs and appears nowhere else."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest

from crawler import errors
from crawler.fetch import download_archive, resolve_commit
from crawler.http import HttpClient
from crawler.loopback.github_server import GitHubServer
from crawler.politeness import local_limiter
from crawler.records import CodeLink
from crawler.settings import Settings

TOKEN = "ghp_TOKEN0123456789abcdefSECRET"
REPOS = {name: {"a.py": "import numpy\n"} for name in ("o/ok", "o/gone", "o/err", "o/rl", "o/rst")}
FAULTS = {"o/gone": "404", "o/err": "500", "o/rl": "429", "o/rst": "reset"}


def link(name: str, host: str = "github") -> CodeLink:
    domain = "github.com" if host == "github" else "gitlab.com"
    return CodeLink("p1", f"https://{domain}/{name}", "code", host, f"{domain}/{name}")


def test_token_is_sent_as_bearer_but_never_leaks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with GitHubServer(REPOS, faults=FAULTS, retry_after=600) as gh:
        settings = Settings(
            github_api_url=gh.api_url, github_archive_url=gh.archive_url,
            gitlab_url=gh.gitlab_url, github_token=TOKEN, retries=1, backoff_base=0.001,
            max_retry_wait=1.0, requests_per_second=0,
        )
        with HttpClient(settings, local_limiter(2, 0)) as http:
            seen += [repr(http), str(http), repr(settings), str(settings.public_dict())]
            commit = resolve_commit(link("o/ok"), None, http)
            download_archive(commit, str(tmp_path), http)
            resolve_commit(link("o/ok", "gitlab"), None, http)
            for name in ("o/gone", "o/err", "o/rl", "o/rst"):
                with pytest.raises(errors.FetchError) as info:
                    resolve_commit(link(name), None, http)
                exc = info.value
                seen += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        auth = {(r.path.split("/")[1], r.authorization) for r in gh.log}
    assert ("api", f"Bearer {TOKEN}") in auth
    assert ("codeload", f"Bearer {TOKEN}") in auth
    assert ("gitlab", "") in auth and not any(a for host, a in auth if host == "gitlab")
    seen.append(caplog.text)
    assert caplog.text  # urllib3 debug lines were captured, so the check below means something
    for text in seen:
        assert TOKEN not in text
        assert TOKEN[4:20] not in text
