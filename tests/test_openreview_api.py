"""The openreview-py adapter against the replay server: login, errors, cache, the demo."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import jwt
import openreview
import pytest
from openreview.api import OpenReviewClient

from crawler import storage
from crawler.demo.papers import DEMO_PAPERS
from crawler.discover import discover
from crawler.errors import AuthRequired, DiscoverError
from crawler.links import code_links
from crawler.loopback.openreview_data import Recordings, demo_recordings, v2_note
from crawler.loopback.openreview_server import OpenReviewReplay
from crawler.settings import Settings
from crawler.venues import resolve

DEMO = ["iclr2020", "iclr2022", "iclr2024"]
CREDENTIAL_VARS = ("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD", "OPENREVIEW_TOKEN")


@pytest.fixture(autouse=True)
def _no_login_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in CREDENTIAL_VARS:
        monkeypatch.delenv(var, raising=False)


def settings_for(srv: OpenReviewReplay, tmp_path: Path, **kw: Any) -> Settings:
    return Settings(out=str(tmp_path / "out"), openreview_baseurl=srv.url_v1,
                    openreview_baseurl_v2=srv.url_v2, openreview_pace=0, **kw)


def test_demo_recordings_give_exactly_the_accepted_demo_papers(tmp_path: Path) -> None:
    expected = [p for p in DEMO_PAPERS if p.decision != "Reject" and "Submitted" not in p.decision]
    assert len(expected) == 28
    with OpenReviewReplay(demo_recordings()) as srv:
        settings = Settings(out=str(tmp_path)).replace(
            openreview_baseurl=srv.url_v1, openreview_baseurl_v2=srv.url_v2, openreview_pace=0)
        papers = discover(resolve(DEMO), settings)
    assert Counter(p.year for p in papers) == {2020: 9, 2022: 10, 2024: 9}
    assert [p.title for p in papers] == [p.title for p in expected]
    assert Counter(p.tier for p in papers) == {"oral": 3, "spotlight": 3, "poster": 22}
    assert sum(bool(p.code_urls) for p in papers) == 27  # "A Paper Without Code" has none
    links = [link for p in papers for link in code_links(p)]
    assert sum(link.primary for link in links) == 27
    assert Counter(link.host for link in links if link.primary) == {
        "github": 26, "drive.google.com": 1}
    last = code_links(papers[-1])
    assert [(link.repo, link.primary) for link in last] == [
        ("github.com/toolcensus-demo/pt-classifier", True),
        ("github.com/someone-else/baseline-repo", False)]


def test_rerun_is_served_from_the_cache(tmp_path: Path) -> None:
    with OpenReviewReplay(demo_recordings()) as srv:
        first = discover(resolve(DEMO), settings_for(srv, tmp_path))
        assert len(srv.requests) == 3
    cached = storage.list_files(str(tmp_path / "out" / "_cache" / "openreview"), suffix=".json")
    assert len(cached) == 3 and all("/127.0.0.1/" in url for url in cached)
    with OpenReviewReplay(demo_recordings(), require_auth="forbidden") as srv:
        again = discover(resolve(DEMO), settings_for(srv, tmp_path))
        assert srv.requests == [] and again == first
        fresh = discover(resolve(DEMO), settings_for(srv, tmp_path, fresh=True,
                                                     openreview_token=_token()))
        assert fresh == first and any("/notes" in p for p in srv.paths(""))


def _token() -> str:
    return jwt.encode({"user": {"id": "~Tok_User1"}}, "k" * 32, algorithm="HS256")


@pytest.mark.parametrize("refusal", ["challenge", "forbidden"])
def test_anonymous_refusal_asks_for_credentials(tmp_path: Path, refusal: str) -> None:
    with OpenReviewReplay(demo_recordings(), require_auth=refusal) as srv:
        with pytest.raises(AuthRequired) as info:
            discover(resolve(["iclr2024"]), settings_for(srv, tmp_path))
    message = str(info.value)
    for var in CREDENTIAL_VARS:
        assert var in message
    assert info.value.reason == "auth_required"


def test_login_with_username_password_reaches_both_apis(tmp_path: Path) -> None:
    users = {"me@lab.org": "secret"}
    with OpenReviewReplay(demo_recordings(), require_auth="forbidden", users=users) as srv:
        settings = settings_for(srv, tmp_path, openreview_username="me@lab.org",
                                openreview_password="secret")
        papers = discover(resolve(["iclr2020", "iclr2024"]), settings)
        logins = [p for m, p in srv.requests if m == "POST"]
    assert len(papers) == 18
    assert logins == ["/v2/login"]  # one login, on API v2; v1 reuses the token


def test_bad_login_names_the_variables(tmp_path: Path) -> None:
    with OpenReviewReplay(demo_recordings(), users={"me@lab.org": "secret"}) as srv:
        settings = settings_for(srv, tmp_path, openreview_username="me@lab.org",
                                openreview_password="wrong")
        with pytest.raises(AuthRequired, match="OPENREVIEW_PASSWORD") as info:
            discover(resolve(["iclr2024"]), settings)
        assert "Invalid username or password" in str(info.value)
        assert "wrong" not in str(info.value)
        assert not any("/notes" in p for p in srv.paths(""))


def test_token_is_used_without_login(tmp_path: Path) -> None:
    with OpenReviewReplay(demo_recordings(), require_auth="challenge") as srv:
        papers = discover(resolve(DEMO), settings_for(srv, tmp_path, openreview_token=_token()))
        assert len(papers) == 28
        assert not any(p.endswith("/login") for p in srv.paths(""))


def test_validation_error_is_a_discover_error(tmp_path: Path) -> None:
    with OpenReviewReplay(demo_recordings()) as srv:
        srv.fail_next("validation")
        with pytest.raises(DiscoverError, match="limit must be <= 1000") as info:
            discover(resolve(["iclr2022"]), settings_for(srv, tmp_path))
    assert not isinstance(info.value, AuthRequired)


@pytest.mark.parametrize("kind", ["server_error", "rate_limit"])
def test_one_failure_then_success_is_retried(tmp_path: Path, kind: str) -> None:
    with OpenReviewReplay(demo_recordings()) as srv:
        srv.fail_next(kind)
        papers = discover(resolve(["iclr2024"]), settings_for(srv, tmp_path))
        pages = list(srv.paths("/v2/notes"))
    assert len(papers) == 9
    assert len(pages) == 2 and pages[0] == pages[1]


def test_failures_after_retries_end_in_a_discover_error(tmp_path: Path) -> None:
    with OpenReviewReplay(demo_recordings()) as srv:
        srv.fail_next("server_error", times=3)
        settings = settings_for(srv, tmp_path, retries=2, backoff_base=0.0)
        with pytest.raises(DiscoverError, match="Internal Server Error"):
            discover(resolve(["iclr2024"]), settings)


def test_empty_listing_is_an_error_not_an_empty_result(tmp_path: Path) -> None:
    with OpenReviewReplay(demo_recordings()) as srv:
        with pytest.raises(DiscoverError, match="listed no submissions"):
            discover(resolve(["ICML.cc/2031/Conference"]), settings_for(srv, tmp_path))


def test_unreachable_host_is_a_discover_error(tmp_path: Path) -> None:
    with OpenReviewReplay(Recordings()) as srv:
        url = srv.url_v2
    settings = Settings(out=str(tmp_path), openreview_baseurl_v2=url, openreview_pace=0,
                        retries=0)
    with pytest.raises(DiscoverError, match="cannot reach OpenReview"):
        discover(resolve(["iclr2024"]), settings)


def test_replay_serves_the_real_clients_own_pager(tmp_path: Path) -> None:
    org = "ICLR.cc/2025/Conference"
    notes = [v2_note(domain=org, number=n, content={"title": f"t{n}", "venue": "ICLR 2025 Poster"})
             for n in range(1, 1502)]
    with OpenReviewReplay(Recordings(v2=notes)) as srv:
        c2 = OpenReviewClient(baseurl=srv.url_v2)
        got = c2.get_all_notes(content={"venueid": org})
        assert len({n.id for n in got}) == 1501
        assert len(list(srv.paths("/v2/notes"))) == 3  # 1000 + 501 + the extra empty page
        with pytest.raises(openreview.OpenReviewException) as info:
            c2.get_notes(content={"venueid": org}, limit=1001)
        assert info.value.args[0]["name"] == "ValidationError"
        c1 = openreview.Client(baseurl=srv.url_v1)
        assert c1.get_notes(invitation="nothing/-/here") == []
