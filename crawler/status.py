"""``toolcensus status URL``: the state of a crawl, read from the bucket alone.

Works for a finished crawl (the funnel of its datasets), and for a running,
detached, cancelled or killed one: the newest run manifest (rewritten by the
driver every few seconds) and the per-repository fragments tell how far it
got, with failures by reason.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from crawler import manifest, storage
from crawler.tasks import WORK_DIR

MAX_FRAGMENTS_READ = 20_000  # beyond this, only count files
STALE_SECONDS = 600  # a running manifest not rewritten for this long: the driver may be gone


def fragment_statuses(out: str, options: Any = None) -> tuple[int, Counter[str]]:
    """Number of finished repository fragments and their statuses (when cheap to read)."""
    urls = storage.list_files(storage.join(out, WORK_DIR), options, ".json")
    statuses: Counter[str] = Counter()
    if len(urls) <= MAX_FRAGMENTS_READ:
        for blob in storage.read_many(urls, options).values():
            try:
                statuses[json.loads(blob)["repo"]["status"]] += 1
            except (ValueError, KeyError):
                statuses["unreadable_fragment"] += 1
    return len(urls), statuses


def run_line(run: dict[str, Any], now: float | None = None) -> list[str]:
    """The manifest's state, age and progress, with a hint when it looks abandoned."""
    now = time.time() if now is None else now
    counts = run.get("counts", {})
    age = max(0, int(now - int(run.get("unix_time", now))))
    lines = [f"run {run['run_id']}: {run['state']} (updated {run['updated']}, {age} s ago)"]
    planned, done = counts.get("tasks_submitted"), counts.get("tasks_done")
    if run["state"] in ("running", "cancelled") and planned is not None:
        lines.append(f"  this run: {done or 0} of {planned} repositories done, "
                     f"{counts.get('tasks_skipped_as_done', 0)} skipped as already done")
    if run["state"] == "failed" and counts.get("error"):
        lines.append(f"  error: {counts['error']}")
    if run["state"] in ("running", "submitted") and age > STALE_SECONDS:
        lines.append(f"  no update for {age // 60} min: if its driver was stopped, run the same "
                     "'toolcensus crawl' again; it resumes where it stopped")
    return lines


def describe(out: str, options: Any = None) -> str:
    """A human-readable funnel of the crawl at ``out``."""
    from analysis import funnel_table
    from cluster.progress import funnel

    run = manifest.latest(out, options)
    if run is None:
        return f"no crawl under {out} (no _runs/*.json); start one with 'toolcensus crawl'"
    lines = run_line(run)
    n, statuses = fragment_statuses(out, options)
    planned = run.get("counts", {}).get("tasks_planned")
    lines.append(f"repositories finished: {n}" + (f" of {planned} planned" if planned else ""))
    if statuses:
        stages = funnel(statuses)
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in stages.items()))
    table = funnel_table(out, options)
    if table.empty:
        lines.append("no datasets yet: they are written when the crawl finishes")
    for (venue, year), rows in table.groupby(["venue", "year"], sort=True):
        lines.append(f"{venue} {year}:")
        for stage, count in zip(rows["stage"], rows["count"], strict=True):
            lines.append(f"  {stage:<28} {count:>7}")
    return "\n".join(lines)
