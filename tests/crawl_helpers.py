"""Shared pieces of the cluster/storage tests: loopback services, settings, digests."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from crawler import manifest, storage
from crawler.demo.repos import demo_repos
from crawler.demo.run import DEMO_VENUES, demo_settings
from crawler.loopback.github_server import GitHubServer
from crawler.loopback.openreview_data import demo_recordings
from crawler.loopback.openreview_server import OpenReviewReplay
from crawler.records import Paper
from crawler.settings import Settings

VENUES = DEMO_VENUES


@contextmanager
def services(latency: float = 0.0) -> Iterator[tuple[Any, GitHubServer]]:
    """The OpenReview replay and the loopback GitHub server with the demo corpus."""
    with OpenReviewReplay(demo_recordings()) as orv, \
            GitHubServer(demo_repos(), latency=latency) as gh:
        yield orv, gh


def settings_for(out: str, orv: Any, gh: GitHubServer, options: dict[str, Any] | None = None,
                 **extra: Any) -> Settings:
    """Settings pointing at the loopback services; no politeness waits (tests only)."""
    extra = {"requests_per_second": 0.0, "concurrent_downloads": 64, "window": 16, **extra}
    return demo_settings(out, "none", orv, gh, storage_options=options or {}, **extra)


def demo_papers(settings: Settings) -> list[Paper]:
    from crawler.discover import discover
    from crawler.venues import resolve

    return discover(resolve(list(VENUES)), settings)


def digests(out: str, options: Any = None) -> dict[str, str]:
    """sha256 of every Parquet file of the three datasets, by path relative to ``out``."""
    found: dict[str, str] = {}
    for name in ("papers", "repos", "tools"):
        for url in storage.list_files(storage.join(out, name), options, ".parquet"):
            rel = url[url.index(f"/{name}/") + 1:]
            found[rel] = hashlib.sha256(storage.read_bytes(url, options)).hexdigest()
    return found


def fragments(out: str, options: Any = None) -> list[str]:
    return storage.list_files(storage.join(out, "_work", "repos"), options, ".json")


def wait_for(cond: Callable[[], Any], seconds: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``cond`` until it is truthy (not a timing assertion: a bounded wait)."""
    deadline = time.monotonic() + seconds
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {seconds} s")
        time.sleep(interval)


def run_state(out: str, run_id: str, options: Any = None) -> str:
    doc = manifest.read(out, run_id, options)
    return str(doc["state"]) if doc else ""


def repos_requested(gh: GitHubServer, start: int = 0) -> set[str]:
    """``owner/name`` of every repository the GitHub server was asked about since ``start``."""
    names: set[str] = set()
    for _, path in gh.requests[start:]:
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "repos"] and len(parts) >= 4:
            names.add(f"{parts[2]}/{parts[3]}")
        elif parts[0] == "codeload" and len(parts) >= 3:
            names.add(f"{parts[1]}/{parts[2]}")
    return names
