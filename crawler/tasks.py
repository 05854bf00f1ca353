"""Repository tasks: what the driver submits and how their results are stored.

A task is one (paper, code link) to fetch and analyse. Each task writes its
own result fragment under ``{out}/_work/repos/`` so that workers never send
large payloads back to the client, a re-run can skip finished work, and a
crawl killed halfway loses nothing that was finished.

Fragment names encode whether the result is final: ``<key>.json`` for ``ok``
and permanent failures, ``<key>.retry.json`` for transient failures
(rate limits, timeouts, 5xx) that a later run tries again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from crawler import datasets, errors, storage
from crawler.records import CodeLink, RepoResult
from crawler.settings import Settings

log = logging.getLogger(__name__)
WORK_DIR = "_work/repos"
_TRANSIENT = {
    cls.reason
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, errors.FetchError) and not cls.permanent
}


@dataclass(frozen=True, slots=True)
class RepoTask:
    """One code link of one paper, with the date to read it at."""

    paper_id: str
    venue: str
    year: int
    link: CodeLink
    until: str | None  # ISO date for --snapshot publication, None for head

    @property
    def key(self) -> str:
        """Stable id of the (paper, link) pair: the fragment's file name."""
        raw = f"{self.paper_id}|{self.link.url}".encode()
        return hashlib.sha1(raw).hexdigest()[:20]


def is_transient(status: str) -> bool:
    """True for failures a later run should retry."""
    return status in _TRANSIENT or status.startswith("bug:")


def fragment_url(settings: Settings, key: str, transient: bool = False) -> str:
    name = f"{key}.retry.json" if transient else f"{key}.json"
    return storage.join(settings.out, WORK_DIR, name)


def fragment(result: RepoResult, primary: bool = True) -> dict[str, Any]:
    """The stored form of a result: its ``repos`` row and ``tools`` rows."""
    return {"repo": datasets.repo_row(result, primary), "tools": datasets.tool_rows(result)}


def write_fragment(settings: Settings, key: str, result: RepoResult) -> None:
    """Store a task's result; a final result replaces an earlier transient one."""
    transient = is_transient(result.status)
    data = json.dumps(fragment(result), sort_keys=True).encode("utf-8")
    storage.write_bytes(fragment_url(settings, key, transient), data, settings.storage_options)
    if not transient:
        storage.delete(fragment_url(settings, key, True), settings.storage_options)


def finished_keys(settings: Settings) -> tuple[set[str], set[str]]:
    """Keys with a final fragment, and keys with only a transient one."""
    names = [
        u.rsplit("/", 1)[-1]
        for u in storage.list_files(
            storage.join(settings.out, WORK_DIR), settings.storage_options, ".json"
        )
    ]
    final = {n[: -len(".json")] for n in names if not n.endswith(".retry.json")}
    retry = {n[: -len(".retry.json")] for n in names if n.endswith(".retry.json")}
    return final, retry - final


def load_fragments(settings: Settings, keys: set[str]) -> list[dict[str, Any]]:
    """Read the fragments of ``keys`` (final if present, else transient), in key order."""
    found = fragments_by_key(settings, keys)
    return [found[k] for k in sorted(found)]


def fragments_by_key(settings: Settings, keys: set[str]) -> dict[str, dict[str, Any]]:
    """The fragments of ``keys`` (final if present, else transient), by key.

    A key with no fragment, or with one that cannot be parsed (a local file
    cut short by a killed process), is absent from the result; an unreadable
    fragment is deleted so that the next run does that task again.
    """
    final, retry = finished_keys(settings)
    urls = {k: fragment_url(settings, k, k not in final) for k in sorted(keys)
            if k in final | retry}
    blobs = storage.read_many(urls.values(), settings.storage_options)
    out: dict[str, dict[str, Any]] = {}
    for k, url in urls.items():
        try:
            out[k] = json.loads(blobs[url])
        except (KeyError, ValueError):
            log.warning("result fragment %s is missing or unreadable; it will be redone", url)
            storage.delete(url, settings.storage_options)
    return out
