"""A loopback GitHub + codeload + GitLab server with named misbehaviours.

Serves in-memory repositories ``{"owner/name": {path: str | bytes}}`` on
127.0.0.1 (port 0), under three URL bases of one port::

    api_url      {base}/api       GET /repos/{o}/{r}/commits?until=&since=&per_page=&page=
    archive_url  {base}/codeload  GET /{o}/{r}/tar.gz/{sha}   members under {r}-{sha}/
    gitlab_url   {base}/gitlab    GET /api/v4/projects/{o%2Fr}/repository/commits?...
                                  GET /api/v4/projects/{o%2Fr}/repository/archive.tar.gz?sha=

Commits: ``history={"o/r": [(sha, date), (sha, date, files), ...]}``; without
an entry a repository has one commit, sha derived from its content, dated
``DEFAULT_DATE``. ``history={"o/r": []}`` is an empty repository (GitHub 409).
Lists are newest first and paginate with a GitHub-style ``Link`` header.

Faults: ``faults={"o/r": "404"}`` or a list of specs ``"[api:|archive:]KIND[*N][:ARG]"``;
``*N`` fails only the first N matching requests, then serves normally. Kinds:
``slow`` (sleeps ``slow_seconds``), ``404``, ``410``, ``451``, ``private``
(403, quota left), ``429`` (``Retry-After: retry_after``), ``ratelimit`` (403,
``X-RateLimit-Remaining: 0``, reset in ``ratelimit_reset`` s), ``500``/``502``/
``503``, ``reset`` (TCP RST), ``empty`` (409), ``redirect:NEW/NAME`` (301) and
archive-only ``truncated`` (a cut gzip with a matching Content-Length),
``badlength`` (Content-Length larger than the body), ``huge`` / ``huge_nolength``
(``huge_bytes`` of data, with or without Content-Length), ``notgzip``.
``random_fault_rate`` fails that fraction of all other responses transiently,
deterministically from ``seed``. ``latency`` (s per request) and ``bandwidth``
(bytes/s per connection) model a distant host.

This module holds the server object (repository model, fault choice, request
log); :mod:`~crawler.loopback.github_handler` answers the requests and
:mod:`~crawler.loopback.github_model` has the records and archive building.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from crawler.loopback.github_handler import Handler, Server
from crawler.loopback.github_model import (
    DEFAULT_DATE,
    TRANSIENT_API,
    TRANSIENT_ARCHIVE,
    Fault,
    Files,
    RepoCommit,
    RequestRecord,
    archive_top,
    build_archive,
    content_sha,
    parse_date,
)

__all__ = [
    "DEFAULT_DATE",
    "Fault",
    "Files",
    "GitHubServer",
    "RepoCommit",
    "RequestRecord",
    "build_archive",
    "content_sha",
]


class GitHubServer:
    """The loopback server; use as ``with GitHubServer(repos) as gh: ...``."""

    def __init__(
        self,
        repos: Mapping[str, Files],
        *,
        history: Mapping[str, Sequence[RepoCommit | tuple[Any, ...]]] | None = None,
        faults: Mapping[str, str | Sequence[str]] | None = None,
        latency: float = 0.0,
        bandwidth: float | None = None,
        random_fault_rate: float = 0.0,
        seed: int = 0,
        retry_after: int = 1,
        ratelimit_reset: float = 1.0,
        slow_seconds: float = 2.0,
        huge_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self.repos = dict(repos)
        self.history: dict[str, list[RepoCommit]] = {
            name: [RepoCommit(*c) if isinstance(c, tuple) else c for c in commits]
            for name, commits in (history or {}).items()
        }
        self.faults: dict[str, list[Fault]] = {}
        for name, spec in (faults or {}).items():
            specs = [spec] if isinstance(spec, str) else list(spec)
            self.faults[name] = [Fault.parse(s) for s in specs]
        self.latency, self.bandwidth = latency, bandwidth
        self.random_fault_rate, self.seed = random_fault_rate, seed
        self.retry_after, self.ratelimit_reset = retry_after, ratelimit_reset
        self.slow_seconds, self.huge_bytes = slow_seconds, huge_bytes
        self.log: list[RequestRecord] = []
        self.closing = threading.Event()
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self._archives: dict[tuple[str, str, str], bytes] = {}
        self._commits: dict[str, list[RepoCommit]] = {}
        self._httpd: Server | None = None

    # -- lifecycle -------------------------------------------------------
    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> GitHubServer:
        """Listen on 127.0.0.1, port 0, in a daemon thread."""
        httpd = Server(("127.0.0.1", 0), Handler)
        httpd.github = self
        self._httpd = httpd
        threading.Thread(
            target=httpd.serve_forever, args=(0.02,), name="github-server", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Stop serving; sleeping handlers wake up and return."""
        self.closing.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api"

    @property
    def archive_url(self) -> str:
        return f"{self.base_url}/codeload"

    @property
    def gitlab_url(self) -> str:
        return f"{self.base_url}/gitlab"

    # -- request log -----------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request, in arrival order."""
        with self._lock:
            return [(r.method, r.path) for r in self.log]

    @property
    def request_count(self) -> int:
        return len(self.log)

    def hits(self, fragment: str) -> int:
        """How many requests had ``fragment`` in their path."""
        return sum(1 for _, path in self.requests if fragment in path)

    def record(self, rec: RequestRecord) -> None:
        with self._lock:
            self.log.append(rec)

    # -- repository model ------------------------------------------------
    def commits(self, name: str) -> list[RepoCommit]:
        """The repository's commits, newest first."""
        with self._lock:
            if name in self._commits:
                return self._commits[name]
        if name in self.history:
            found = sorted(self.history[name], key=lambda c: parse_date(c.date), reverse=True)
        else:
            found = [RepoCommit(content_sha(self.repos[name]), DEFAULT_DATE)]
        with self._lock:
            self._commits[name] = found
        return found

    def select(self, name: str, until: str | None, since: str | None) -> list[RepoCommit]:
        """Commits dated ≤ ``until`` and ≥ ``since``, newest first."""
        low = parse_date(since) if since else None
        high = parse_date(until) if until else None
        return [c for c in self.commits(name)
                if (high is None or parse_date(c.date) <= high)
                and (low is None or parse_date(c.date) >= low)]

    def archive(self, name: str, sha: str, top: str) -> bytes | None:
        """The archive of ``name`` at ``sha`` under ``top/``, or None for an unknown sha."""
        key = (name, sha, top)
        with self._lock:
            if key in self._archives:
                return self._archives[key]
        commit = next((c for c in self.commits(name) if c.sha == sha), None)
        if commit is None:
            return None
        blob = build_archive(commit.files or self.repos[name], top)
        with self._lock:
            self._archives[key] = blob
        return blob

    def prebuild(self) -> None:
        """Build every repository's codeload archives now (benchmarks time fetching, not this)."""
        for name in self.repos:
            for commit in self.commits(name):
                self.archive(name, commit.sha, archive_top("github", name, commit.sha))

    # -- faults ----------------------------------------------------------
    def fault_for(self, name: str, kind: str, key: str) -> Fault | None:
        """The fault to apply to this request of repository ``name`` (``kind``: api|archive)."""
        with self._lock:
            for fault in self.faults.get(name, []):
                if fault.target not in ("any", kind):
                    continue
                if fault.remaining is None:
                    return fault
                if fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
            n = self._seen[key] = self._seen.get(key, 0) + 1
        if self.random_fault_rate <= 0:
            return None
        digest = hashlib.sha256(f"{self.seed}|{key}|{n}".encode()).digest()
        if int.from_bytes(digest[:8], "big") / 2**64 >= self.random_fault_rate:
            return None
        choices = TRANSIENT_ARCHIVE if kind == "archive" else TRANSIENT_API
        return Fault(choices[digest[8] % len(choices)], kind)

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up when the server stops."""
        if seconds > 0:
            self.closing.wait(seconds)

