"""The crawl driver: discover → plan → fan out → compact → manifest.

Discovery runs once on the client. Each supported primary code link becomes
a ``RepoTask``; tasks run on the cluster in small batches by
``crawler.pipeline.run_batch`` (a bounded
window of tasks in flight); every other link is recorded directly with its
status. Compaction then turns the fragments of this run's papers into the
partitioned ``papers``/``repos``/``tools`` datasets.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as day_time
from itertools import islice
from typing import Any

from crawler import datasets, manifest, storage, tasks
from crawler.errors import ConfigError
from crawler.links import code_links
from crawler.pipeline import run_batch
from crawler.records import Paper, RepoResult
from crawler.settings import Settings
from crawler.tasks import RepoTask

log = logging.getLogger(__name__)
Progress = Callable[[Counter[str], int], None]


@dataclass(frozen=True)
class Plan:
    """What a crawl will do: tasks for the cluster, results known without fetching."""

    tasks: tuple[RepoTask, ...]
    direct: tuple[tuple[RepoResult, bool], ...]  # (result, primary)


@dataclass
class CrawlSummary:
    run_id: str
    out: str
    papers: int = 0
    tasks: int = 0
    skipped: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def snapshot_moment(text: str) -> str:
    """An explicit ``--snapshot-date`` as GitHub's ``YYYY-MM-DDTHH:MM:SSZ`` (UTC).

    A bare date means the end of that day, like the venues' conference end
    dates; a date-time without an offset is UTC. Raises ``ConfigError`` for
    anything else.

    >>> snapshot_moment("2019-01-01")
    '2019-01-01T23:59:59Z'
    >>> snapshot_moment("2019-06-01T02:00:00+02:00")
    '2019-06-01T00:00:00Z'
    """
    value = text.strip()
    try:
        try:
            when = datetime.combine(date.fromisoformat(value), day_time(23, 59, 59), UTC)
        except ValueError:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(f"--snapshot-date {text!r} is not a date: use an ISO date such as "
                          "2020-05-01 (end of that day, UTC) or 2020-05-01T12:00:00Z") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot_until(paper: Paper, settings: Settings) -> str | None:
    """The date a paper's repository is read at, or None for the newest commit."""
    if settings.snapshot == "head":
        return None
    if settings.snapshot_date:
        return snapshot_moment(settings.snapshot_date)
    return paper.snapshot_date or None


def _snapshot_label(snapshot: str, date: str) -> str:
    if snapshot == "head":
        return "--snapshot head"
    if date:
        try:
            return f"--snapshot-date {snapshot_moment(date)}"
        except ConfigError:
            return f"--snapshot-date {date}"
    return "--snapshot publication"


def check_snapshot(settings: Settings, run_id: str | None = None) -> None:
    """Refuse to resume into an output whose results were read at another snapshot.

    Resume skips finished repositories by (paper, link), whatever date they
    were read at, so mixing snapshots in one ``--out`` would silently keep the
    old ones. ``--fresh`` (redo everything) lifts the check.
    """
    if settings.fresh:
        return
    runs = [u for u in storage.list_files(storage.join(settings.out, "_runs"),
                                          settings.storage_options, ".json")
            if not run_id or not u.endswith(f"/{run_id}.json")]
    newest = []  # run ids have 1 s resolution: runs started in the same second tie
    for doc in storage.read_many(runs[-5:], settings.storage_options).values():
        try:
            run = json.loads(doc)
            newest.append((int(run["unix_time"]), dict(run["settings"])))
        except (ValueError, KeyError, TypeError):
            continue
    if not newest:
        return
    last = max(t for t, _ in newest)
    new = _snapshot_label(settings.snapshot, settings.snapshot_date)
    old = {_snapshot_label(str(b.get("snapshot", "")), str(b.get("snapshot_date", "")))
           for t, b in newest if t == last and b.get("snapshot")}
    if old and new not in old:
        raise ConfigError(
            f"{settings.out} holds results read with {sorted(old)[0]}, not {new}: add --fresh "
            "to redo them all at the new snapshot, or crawl into another --out")


def plan(papers: Sequence[Paper], settings: Settings) -> Plan:
    """Split code links into cluster tasks and directly recorded rows."""
    todo: list[RepoTask] = []
    direct: list[tuple[RepoResult, bool]] = []
    for paper in papers:
        for link in code_links(paper):
            base = RepoResult(
                paper_id=paper.paper_id, venue=paper.venue, year=paper.year, repo=link.repo,
                url=link.url, link_source=link.source, status="ok",
            )
            if not link.primary:
                direct.append((RepoResult(**{**_fields(base), "status": "skipped_secondary",
                                             "error": "not the paper's primary link"}), False))
            elif not link.supported:
                direct.append((RepoResult(**{**_fields(base), "status": "unsupported_host",
                                             "stage": "resolve",
                                             "error": f"{link.host} is not a fetchable host"}),
                               True))
            else:
                until = snapshot_until(paper, settings)
                todo.append(RepoTask(paper.paper_id, paper.venue, paper.year, link, until))
    return Plan(tuple(todo), tuple(direct))


def _fields(result: RepoResult) -> dict[str, Any]:
    return {f: getattr(result, f) for f in result.__dataclass_fields__}


def write_papers(papers: Sequence[Paper], settings: Settings) -> None:
    table = datasets.to_table("papers", (datasets.paper_row(p) for p in papers))
    storage.write_partitioned(
        table, storage.join(settings.out, "papers"), settings.storage_options,
        sort_by=datasets.SORT_KEYS["papers"],
    )


def compact(papers: Sequence[Paper], crawl_plan: Plan, settings: Settings) -> Counter[str]:
    """Write ``repos`` and ``tools`` for the venue-years of ``papers``; count statuses."""
    found = tasks.fragments_by_key(settings, {t.key for t in crawl_plan.tasks})
    for task in crawl_plan.tasks:  # never drop a link: a lost result is a (retried) failure
        if task.key not in found:
            lost = _lost_result(task, "bug:LostFragment", "result fragment missing or unreadable")
            tasks.write_fragment(settings, task.key, lost)
            found[task.key] = tasks.fragment(lost)
    fragments = [found[k] for k in sorted(found)]
    repo_rows = [f["repo"] for f in fragments]
    repo_rows += [datasets.repo_row(r, primary) for r, primary in crawl_plan.direct]
    tool_rows = [row for f in fragments for row in f["tools"]]
    partitions = {(p.venue, p.year) for p in papers}
    for name, rows in (("repos", repo_rows), ("tools", tool_rows)):
        base = storage.join(settings.out, name)
        present = {(r["venue"], r["year"]) for r in rows}
        for venue, year in sorted(partitions - present):
            storage.delete(storage.join(base, f"venue={venue}", f"year={year}"),
                           settings.storage_options, recursive=True)
        storage.write_partitioned(datasets.to_table(name, rows), base, settings.storage_options,
                                  sort_by=datasets.SORT_KEYS[name])
    return Counter(r["status"] for r in repo_rows)


def _lost_result(task: RepoTask, status: str, error: str) -> RepoResult:
    return RepoResult(
        paper_id=task.paper_id, venue=task.venue, year=task.year, repo=task.link.repo,
        url=task.link.url, link_source=task.link.source, status=status, stage="cluster",
        error=error[:2000],
    )


def _record_lost(task: RepoTask, exc: BaseException, settings: Settings) -> str:
    """Store a task that died without a result as a transient ``bug:`` failure."""
    result = _lost_result(task, f"bug:{type(exc).__name__}", str(exc))
    tasks.write_fragment(settings, task.key, result)
    return result.status


def batch_size(n_tasks: int, settings: Settings) -> int:
    """Repositories per cluster task: ``settings.batch_size``, or automatic.

    Automatic keeps one repository per task for small crawls (finest
    balancing) and grows to 16 for large ones, where Dask's per-task cost
    (a few ms) would otherwise dominate. A thread works on one repository at
    a time either way, so batching does not lower the crawl's concurrency.
    """
    if settings.batch_size > 0:
        return settings.batch_size
    return max(1, min(16, n_tasks // 500))


def batches(todo: Iterable[RepoTask], size: int) -> Iterator[tuple[RepoTask, ...]]:
    """Consecutive tuples of ``size`` tasks, made lazily."""
    it = iter(todo)
    while batch := tuple(islice(it, size)):
        yield batch


def batch_key(batch: tuple[RepoTask, ...]) -> str:
    """A stable key for a batch (its first task's key when it holds one task)."""
    if len(batch) == 1:
        return batch[0].key
    joined = "|".join(t.key for t in batch).encode()
    return hashlib.sha1(joined).hexdigest()[:20]


def crawl(
    papers: Sequence[Paper],
    settings: Settings,
    client: Any = None,
    progress: Progress | None = None,
    run_id: str | None = None,
    stop: Callable[[], bool] | None = None,
) -> CrawlSummary:
    """Crawl the repositories of ``papers`` and write the datasets under ``settings.out``.

    ``client`` is a ``distributed.Client`` or ``None`` for an in-process loop.
    ``stop`` is polled between completions: when it returns True the tasks in
    flight are cancelled, the manifest is marked ``cancelled`` and the
    datasets are left as they were (the fragments written so far are kept,
    so the next run resumes from them).
    """
    from cluster.executor import run_windowed

    started = time.monotonic()
    run_id = run_id or manifest.new_run_id()
    summary = CrawlSummary(run_id=run_id, out=settings.out, papers=len(papers))
    check_snapshot(settings, run_id)
    write_papers(papers, settings)
    crawl_plan = plan(papers, settings)
    final, retry = (set(), set()) if settings.fresh else tasks.finished_keys(settings)
    todo = [t for t in crawl_plan.tasks if t.key not in final]
    summary.tasks, summary.skipped = len(todo), len(crawl_plan.tasks) - len(todo)
    planned = {"papers": len(papers), "tasks_planned": len(crawl_plan.tasks),
               "tasks_submitted": len(todo), "tasks_skipped_as_done": summary.skipped}
    manifest.write(settings, run_id, "running", planned)
    log.info("run %s: %d tasks, %d already done", run_id, len(todo), summary.skipped)
    done: Counter[str] = Counter()
    beat = manifest.Heartbeat(settings, run_id, planned)
    size = batch_size(len(todo), settings)
    results = run_windowed(run_batch, batches(todo, size), settings, client=client,
                           window=settings.window, key=batch_key, stop=stop)
    try:  # closing the generator cancels whatever is still in flight (Ctrl-C too)
        for batch, outcome in results:
            if isinstance(outcome, tuple):
                statuses = [status for _key, status in outcome]
            else:  # the task itself died (e.g. its workers were killed): record, never drop
                statuses = [_record_lost(task, outcome, settings) for task in batch]
            done.update(statuses)
            beat.update(done)
            if progress is not None:
                progress(done, len(todo))
    finally:
        results.close()
    stopped = sum(done.values()) < len(todo)  # only a stop request ends the loop early
    summary.seconds = time.monotonic() - started
    if stopped:
        manifest.write(settings, run_id, "cancelled", {**planned, **beat.counts(done)})
        return summary
    summary.statuses = compact(papers, crawl_plan, settings)
    summary.seconds = time.monotonic() - started
    manifest.write(settings, run_id, "finished",
                   {**planned, **manifest.counts(papers, summary, done)})
    return summary
