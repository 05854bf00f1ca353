"""Fetch stage: pin a repository to a commit, then download its archive by sha.

GitHub (contract, "GitHub requests")::

    GET {API}/repos/{owner}/{repo}/commits?until={date}&per_page=1   newest commit ≤ date
    GET {API}/repos/{owner}/{repo}/commits?since={date}&per_page=1   fallback: the list is
        newest first, so the oldest commit after the date is the one item of the page
        that the ``Link: rel="last"`` header points to (two requests, any history size)
    GET {ARCHIVE}/{owner}/{repo}/tar.gz/{sha}                        members under {repo}-{sha}/

GitLab the same way through ``/api/v4/projects/{group%2Fname}/repository/commits``
(``until``/``since``, same pagination) and ``.../repository/archive.tar.gz?sha=``.
All network access goes through ``crawler.http.HttpClient``.
"""

from __future__ import annotations

import os
import re
import time
import zlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from crawler import errors
from crawler.http import HttpClient
from crawler.records import Archive, CodeLink, Commit

GZIP_MAGIC = b"\x1f\x8b"
CHECK_OUTPUT_BYTES = 256 * 1024 * 1024  # gzip check stops (passes) after this much output
_LAST_LINK = re.compile(r'<([^>]+)>;\s*rel="last"')


def split_repo(link: CodeLink) -> tuple[str, str]:
    """(host, "owner/name") of a supported link; ``UnsupportedHost`` otherwise."""
    host_name, _, path = link.repo.partition("/")
    if link.host not in ("github", "gitlab") or not path.strip("/") or "/" not in path:
        raise errors.UnsupportedHost(f"not a GitHub or GitLab repository: {link.url}")
    return link.host, path.strip("/")


def resolve_commit(link: CodeLink, until: str | None, http: HttpClient) -> Commit:
    """The commit ``link`` is read at: newest ≤ ``until`` (None: head), else the first after.

    ``Commit.snapshot`` is "head" (no date), "publication" or "after-publication".
    Raises ``EmptyRepository`` for a repository without commits.
    """
    host, path = split_repo(link)
    url = _commits_url(host, path, http)
    params = {"per_page": "1", **({"until": until} if until else {})}
    data, _ = http.get_json(url, params)
    if data:
        return _commit(link.repo, host, data[0], "publication" if until else "head")
    if until is None:
        raise errors.EmptyRepository(f"{link.repo} has no commits")
    data, headers = http.get_json(url, {"per_page": "1", "since": until})
    last = _last_page(headers)
    if last:
        data, _ = http.get_json(last)
    if not data:
        raise errors.EmptyRepository(f"{link.repo} has no commits")
    return _commit(link.repo, host, data[-1], "after-publication")


def download_archive(commit: Commit, dest_dir: str, http: HttpClient) -> Archive:
    """Download ``commit``'s ``.tar.gz`` into ``dest_dir``, capped at ``max_archive_bytes``.

    A body that is not gzip raises ``CorruptArchive``; a gzip stream that ends
    early (a truncated transfer) is downloaded again within ``settings.retries``.
    """
    path = commit.repo.split("/", 1)[1]
    dest = os.path.join(dest_dir, f"{path.replace('/', '__')}-{commit.sha}.tar.gz")
    url = archive_url(commit, http)
    settings = http.settings
    for attempt in range(settings.retries + 1):
        nbytes = http.download(url, dest, settings.max_archive_bytes)
        problem = gzip_problem(dest)
        if problem is None:
            return Archive(commit=commit, path=dest, nbytes=nbytes)
        if problem != "truncated" or attempt == settings.retries:
            os.remove(dest)
            raise errors.CorruptArchive(f"archive of {commit.repo}@{commit.sha[:12]}: {problem}")
        time.sleep(settings.backoff_base * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def archive_url(commit: Commit, http: HttpClient) -> str:
    """Where ``commit``'s archive is downloaded from."""
    host, path = commit.repo.split("/", 1)
    if host == "gitlab.com":
        return f"{_gitlab_project(path, http)}/repository/archive.tar.gz?sha={commit.sha}"
    return f"{http.settings.github_archive_url.rstrip('/')}/{path}/tar.gz/{commit.sha}"


def gzip_problem(path: str) -> str | None:
    """None for a complete gzip stream, else "not gzip", "truncated" or "bad gzip data"."""
    with open(path, "rb") as f:
        if f.read(2) != GZIP_MAGIC:
            return "not gzip"
        f.seek(0)
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        produced = 0
        try:
            while (chunk := f.read(1 << 20)) and not inflate.eof:
                while chunk and produced < CHECK_OUTPUT_BYTES:
                    produced += len(inflate.decompress(chunk, 1 << 22))
                    chunk = inflate.unconsumed_tail
                if produced >= CHECK_OUTPUT_BYTES:
                    return None  # the extractor's own caps take over from here
        except zlib.error:
            return "bad gzip data"
    return None if inflate.eof else "truncated"


def _gitlab_project(path: str, http: HttpClient) -> str:
    """The GitLab API URL of project ``group/name`` (the path URL-encoded into one id)."""
    return f"{http.settings.gitlab_url.rstrip('/')}/api/v4/projects/{quote(path, safe='')}"


def _commits_url(host: str, path: str, http: HttpClient) -> str:
    if host == "gitlab":
        return f"{_gitlab_project(path, http)}/repository/commits"
    return f"{http.settings.github_api_url.rstrip('/')}/repos/{path}/commits"


def _commit(repo: str, host: str, item: Any, snapshot: str) -> Commit:
    try:
        if host == "gitlab":
            sha, date = item["id"], item["committed_date"]
        else:
            sha, date = item["sha"], item["commit"]["committer"]["date"]
    except (KeyError, TypeError) as exc:
        raise errors.ServerError(f"unexpected commit record for {repo}") from exc
    return Commit(repo=repo, sha=str(sha), date=utc_iso(str(date)), snapshot=snapshot)


def _last_page(headers: Any) -> str | None:
    match = _LAST_LINK.search(headers.get("Link", "") or "")
    return match.group(1) if match else None


def utc_iso(date: str) -> str:
    """``date`` as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC.

    >>> utc_iso("2019-06-01T02:00:00.000+02:00")
    '2019-06-01T00:00:00Z'
    """
    when = datetime.fromisoformat(date.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
