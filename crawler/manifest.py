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

PACKAGES = (
    "toolcensus", "dask", "distributed", "fsspec", "s3fs", "openreview-py", "pandas",
    "pyarrow", "matplotlib", "requests",
)


def new_run_id() -> str:
    """A sortable, unique run id: UTC timestamp plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


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
