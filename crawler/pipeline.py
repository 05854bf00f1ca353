"""One repository, end to end: fetch → extract → result, on any worker.

``process_repo`` is the single boundary where exceptions become data: every
``CrawlError`` becomes a ``RepoResult`` whose ``status`` is the error's
``reason``; anything else is recorded as ``bug:<Class>`` with its traceback
text, so that one bad repository never poisons a batch. ``run_task`` is what
the cluster runs: process, then write the task's own result fragment.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from dataclasses import replace

from crawler import fetch, storage, tasks
from crawler.errors import CrawlError, NoPython
from crawler.extract import Limits, extract_path
from crawler.http import HttpClient
from crawler.records import Archive, Commit, Extraction, Failure, RepoResult
from crawler.settings import Settings
from crawler.tasks import RepoTask

log = logging.getLogger(__name__)


def _limits(settings: Settings) -> Limits:
    return Limits(
        max_member_bytes=settings.max_member_bytes, max_repo_bytes=settings.max_repo_bytes
    )


def _failed(base: RepoResult, exc: BaseException, stage: str) -> RepoResult:
    failure = Failure.from_exception(exc, stage=stage)
    if failure.traceback:
        log.error("unexpected error on %s: %s", base.repo, failure.traceback)
    return replace(base, status=failure.reason, error=failure.message[:2000], stage=stage)


def kept_archive_url(settings: Settings, commit: Commit) -> str:
    """Where ``--keep-archives`` stores an archive: by repository and sha."""
    return storage.join(settings.out, "_archives", commit.repo, f"{commit.sha}.tar.gz")


def _archive(commit: Commit, tmp: str, client: HttpClient, settings: Settings) -> Archive:
    """Download an archive, or reuse the copy kept in the bucket by an earlier run."""
    kept = kept_archive_url(settings, commit)
    local = os.path.join(tmp, f"{commit.sha}.tar.gz")
    if settings.keep_archives and storage.exists(kept, settings.storage_options):
        with storage.open_url(kept, "rb", settings.storage_options) as src, \
                open(local, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return Archive(commit=commit, path=local, nbytes=os.path.getsize(local))
    archive = fetch.download_archive(commit, tmp, client)
    if settings.keep_archives:
        with open(archive.path, "rb") as src, \
                storage.open_url(kept, "wb", settings.storage_options) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    return archive


def check_python(extraction: Extraction) -> None:
    """Raise ``NoPython`` when a repository has no Python code and no manifest."""
    if not (extraction.n_py_files or extraction.n_notebooks or extraction.manifests):
        raise NoPython(
            f"no .py or .ipynb file and no dependency file among {extraction.n_files} files"
        )


def process_repo(task: RepoTask, settings: Settings, http: HttpClient | None = None) -> RepoResult:
    """Fetch and analyse one repository; never raises for a repository's fault."""
    result = RepoResult(
        paper_id=task.paper_id,
        venue=task.venue,
        year=task.year,
        repo=task.link.repo,
        url=task.link.url,
        link_source=task.link.source,
        status="ok",
    )
    own_http = http is None
    client = HttpClient(settings) if http is None else http
    try:
        with tempfile.TemporaryDirectory(prefix="toolcensus-") as tmp:
            try:
                commit = fetch.resolve_commit(task.link, task.until, client)
                result = replace(
                    result, sha=commit.sha, commit_date=commit.date, snapshot=commit.snapshot
                )
                archive = _archive(commit, tmp, client, settings)
                result = replace(result, archive_bytes=archive.nbytes)
            except Exception as exc:  # the one boundary: errors become data
                return _failed(result, exc, "fetch")
            try:
                extraction = extract_path(archive.path, _limits(settings),
                                          own=(task.link.repo.rpartition("/")[2],))
                result = replace(result, extraction=extraction)
                check_python(extraction)
            except Exception as exc:
                if isinstance(exc, CrawlError) and exc.reason == "corrupt_archive":
                    return _failed(result, exc, "fetch")
                return _failed(result, exc, "extract")
    finally:
        if own_http:
            client.close()
    return result


def run_task(task: RepoTask, settings: Settings) -> tuple[str, str]:
    """What a worker runs: process one task and store its fragment.

    Returns ``(key, status)`` only, so the client never holds results.
    """
    result = process_repo(task, settings)
    tasks.write_fragment(settings, task.key, result)
    return task.key, result.status


def run_batch(batch: tuple[RepoTask, ...], settings: Settings) -> tuple[tuple[str, str], ...]:
    """Run several tasks in one cluster task (one HTTP session): less scheduling per repository.

    Each repository still writes its own fragment, so a batch lost with its
    worker is simply run again and nothing is duplicated.
    """
    with HttpClient(settings) as http:
        out = []
        for task in batch:
            result = process_repo(task, settings, http)
            tasks.write_fragment(settings, task.key, result)
            out.append((task.key, result.status))
    return tuple(out)
