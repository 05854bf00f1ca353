"""The run manifest ``_runs/<run-id>.json``: settings (no secrets), versions, counts, timings."""

from __future__ import annotations

import platform
import secrets
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

from crawler import storage
from crawler.records import Paper
from crawler.settings import Settings

if TYPE_CHECKING:
    from crawler.crawl import CrawlSummary

HEARTBEAT_SECONDS = 10.0
STATES = ("submitted", "running", "finished", "cancelled", "failed")
PACKAGES = (
    "toolcensus", "dask", "distributed", "fsspec", "s3fs", "openreview-py", "pandas",
    "pyarrow", "matplotlib", "requests",
)


def new_run_id() -> str:
    """A sortable, unique run id: UTC timestamp plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def versions() -> dict[str, str]:
    found: dict[str, str] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = ""
    return found


def url(settings: Settings, run_id: str) -> str:
    return storage.join(settings.out, "_runs", f"{run_id}.json")


def write(settings: Settings, run_id: str, state: str, counts: dict[str, Any]) -> None:
    """Write (or overwrite) the manifest of ``run_id``."""
    doc = {
        "run_id": run_id,
        "state": state,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings.public_dict(),
        "versions": versions(),
        "counts": counts,
        "unix_time": int(time.time()),
    }
    storage.write_json(url(settings, run_id), doc, settings.storage_options)


class Heartbeat:
    """Rewrites a running crawl's manifest with its counts so far, every ``every`` seconds.

    ``toolcensus status`` reads it to show a running (or detached) crawl's
    progress and to notice a driver that stopped updating.
    """

    def __init__(self, settings: Settings, run_id: str, planned: dict[str, Any],
                 every: float = HEARTBEAT_SECONDS) -> None:
        self.settings, self.run_id, self.planned, self.every = settings, run_id, planned, every
        self._last = time.monotonic()

    def counts(self, done: Counter[str]) -> dict[str, Any]:
        return {"tasks_done": sum(done.values()), "statuses_this_run": dict(sorted(done.items()))}

    def update(self, done: Counter[str]) -> None:
        if time.monotonic() - self._last < self.every:
            return
        self._last = time.monotonic()
        write(self.settings, self.run_id, "running", {**self.planned, **self.counts(done)})


def counts(
    papers: Sequence[Paper], summary: CrawlSummary, this_run: Counter[str]
) -> dict[str, Any]:
    """Funnel counts for the manifest."""
    with_link = sum(1 for p in papers if p.code_urls)
    return {
        "papers": len(papers),
        "papers_with_code_link": with_link,
        "tasks_submitted": summary.tasks,
        "tasks_skipped_as_done": summary.skipped,
        "tasks_done": sum(this_run.values()),
        "statuses_this_run": dict(sorted(this_run.items())),
        "statuses_all_links": dict(sorted(summary.statuses.items())),
        "seconds": round(summary.seconds, 3),
    }


def latest(out: str, options: Any = None) -> dict[str, Any] | None:
    """The newest manifest under ``out``, or None."""
    runs = storage.list_files(storage.join(out, "_runs"), options, ".json")
    if not runs:
        return None
    doc: dict[str, Any] = storage.read_json(runs[-1], options)
    return doc


def read(out: str, run_id: str, options: Any = None) -> dict[str, Any] | None:
    """The manifest of ``run_id`` under ``out``, or None when there is none."""
    target = storage.join(out, "_runs", f"{run_id}.json")
    if not storage.exists(target, options):
        return None
    doc: dict[str, Any] = storage.read_json(target, options)
    return doc
