"""``toolcensus status URL``: the state of a crawl, read from the bucket alone."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from crawler import manifest, storage
from crawler.tasks import WORK_DIR

MAX_FRAGMENTS_READ = 20_000  # beyond this, only count files


def fragment_statuses(out: str, options: Any = None) -> tuple[int, Counter[str]]:
    """Number of finished repository fragments and their statuses (when cheap to read)."""
    urls = storage.list_files(storage.join(out, WORK_DIR), options, ".json")
    statuses: Counter[str] = Counter()
    if len(urls) <= MAX_FRAGMENTS_READ:
        for blob in storage.read_many(urls, options).values():
            statuses[json.loads(blob)["repo"]["status"]] += 1
    return len(urls), statuses


def describe(out: str, options: Any = None) -> str:
    """A human-readable funnel of the crawl at ``out``."""
    from analysis import funnel_table

    lines: list[str] = []
    run = manifest.latest(out, options)
    if run is None:
        return f"no crawl under {out} (no _runs/*.json); start one with 'toolcensus crawl'"
    counts = run.get("counts", {})
    lines.append(f"run {run['run_id']}: {run['state']} (updated {run['updated']})")
    n, statuses = fragment_statuses(out, options)
    planned = counts.get("tasks_planned") or counts.get("tasks_submitted")
    lines.append(f"repositories finished: {n}" + (f" of {planned} planned" if planned else ""))
    if statuses:
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    table = funnel_table(out, options)
    for (venue, year), rows in table.groupby(["venue", "year"], sort=True):
        lines.append(f"{venue} {year}:")
        for stage, count in zip(rows["stage"], rows["count"], strict=True):
            lines.append(f"  {stage:<28} {count:>7}")
    return "\n".join(lines)
