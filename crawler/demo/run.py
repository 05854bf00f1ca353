"""``toolcensus demo``: the whole job offline, on bundled samples.

Starts the loopback OpenReview replay server and the loopback GitHub server
(127.0.0.1, free ports), crawls the three bundled venue-years on a local
Dask cluster, analyses the result, prints the funnel and where the charts
are, and stops its servers. No connection leaves 127.0.0.1: every base URL
points at the loopback servers, and credentials from the environment are
ignored for the duration of the demo.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crawler import settings as settings_mod
from crawler.settings import Settings

DEMO_VENUES = ("iclr2020", "iclr2022", "iclr2024")
_CREDENTIALS = ("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD", "OPENREVIEW_TOKEN", "GITHUB_TOKEN")


@contextmanager
def loopback_services() -> Iterator[tuple[Any, Any]]:
    """The two replay servers with the demo data, stopped on exit."""
    from crawler.demo.repos import demo_repos
    from crawler.loopback.github_server import GitHubServer
    from crawler.loopback.openreview_data import demo_recordings
    from crawler.loopback.openreview_server import OpenReviewReplay

    with OpenReviewReplay(demo_recordings()) as orv, GitHubServer(demo_repos()) as gh:
        yield orv, gh


@contextmanager
def _without_credentials() -> Iterator[None]:
    saved = {k: os.environ.pop(k) for k in _CREDENTIALS if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def demo_settings(out: str, cluster: str, orv: Any, gh: Any, **extra: Any) -> Settings:
    """Settings that point every service at the loopback servers."""
    return settings_mod.load(
        env={}, out=out, cluster=cluster,
        openreview_baseurl=orv.url_v1, openreview_baseurl_v2=orv.url_v2, openreview_pace=0.0,
        github_api_url=gh.api_url, github_archive_url=gh.archive_url, gitlab_url=gh.gitlab_url,
        retries=1, backoff_base=0.05, max_retry_wait=2.0, **extra,
    )


def run_demo(out: str = "./demo-out", cluster: str = "local") -> int:
    """Crawl and analyse the bundled samples; print the funnel and the report's location."""
    from analysis import analyze
    from cluster.connect import dashboard_link, get_client
    from cluster.progress import ProgressDisplay
    from crawler.commands import print_funnel
    from crawler.crawl import crawl
    from crawler.discover import discover
    from crawler.venues import resolve

    started = time.monotonic()
    with _without_credentials(), loopback_services() as (orv, gh):
        settings = demo_settings(out, cluster, orv, gh)
        print(f"demo: OpenReview replay at {orv.url_v1}, GitHub at {gh.api_url}", file=sys.stderr)
        papers = discover(resolve(list(DEMO_VENUES)), settings)
        print(f"demo: {len(papers)} accepted papers in {', '.join(DEMO_VENUES)}", file=sys.stderr)
        with get_client(cluster, settings) as client:
            if client is not None:
                print(f"demo: Dask dashboard: {dashboard_link(client) or '(none)'}",
                      file=sys.stderr)
            summary = crawl(papers, settings, client=client, progress=ProgressDisplay())
    result = analyze(out, None, settings.storage_options)
    print_funnel(out, settings.storage_options)
    print(f"\nrun {summary.run_id} in {time.monotonic() - started:.1f} s; datasets under {out}")
    print(f"report: {result.get('report', '')}")
    for chart in result.get("charts", []):
        print(f"chart:  {chart}")
    return 0
