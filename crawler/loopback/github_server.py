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
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import socket
import struct
import tarfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

DEFAULT_DATE = "2019-06-01T00:00:00Z"
ARCHIVE_ONLY = frozenset({"truncated", "badlength", "huge", "huge_nolength", "notgzip"})
TRANSIENT_API = ("500", "502", "503", "reset", "429", "ratelimit")
TRANSIENT_ARCHIVE = (*TRANSIENT_API, "truncated", "badlength")
Files = Mapping[str, "str | bytes"]


@dataclass(frozen=True, slots=True)
class RepoCommit:
    """One commit of a served repository; ``files`` overrides the repo's content."""

    sha: str
    date: str
    files: Files | None = None


@dataclass(slots=True)
class Fault:
    """A parsed fault spec; ``remaining`` counts down for ``*N`` faults."""

    kind: str
    target: str = "any"  # any | api | archive
    remaining: int | None = None
    arg: str = ""

    @classmethod
    def parse(cls, spec: str) -> Fault:
        target = "any"
        if spec.startswith(("api:", "archive:")):
            target, spec = spec.split(":", 1)
        kind, _, arg = spec.partition(":")
        kind, _, count = kind.partition("*")
        if kind in ARCHIVE_ONLY:
            target = "archive"
        return cls(kind, target, int(count) if count else None, arg)


@dataclass(slots=True)
class RequestRecord:
    """One request, logged on arrival; ``status`` is filled in when it is answered."""

    method: str
    path: str
    query: str
    status: int
    fault: str
    authorization: str
    time: float = field(compare=False)


def content_sha(files: Files) -> str:
    """A deterministic 40-hex sha of a repository's content."""
    h = hashlib.sha1()
    for path in sorted(files):
        data = files[path]
        h.update(path.encode() + b"\0" + (data.encode() if isinstance(data, str) else data))
    return h.hexdigest()


def build_archive(files: Files, top: str) -> bytes:
    """A deterministic ``.tar.gz`` with every member under ``top/``."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            data = files[path]
            blob = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size, info.mtime, info.mode = len(blob), 1559347200, 0o644
            tar.addfile(info, io.BytesIO(blob))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)  # git archive's level


def _when(date: str) -> datetime:
    return datetime.fromisoformat(date.replace("Z", "+00:00"))


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
        self._httpd: _Server | None = None

    # -- lifecycle -------------------------------------------------------
    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> GitHubServer:
        """Listen on 127.0.0.1, port 0, in a daemon thread."""
        httpd = _Server(("127.0.0.1", 0), Handler)
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
            found = sorted(self.history[name], key=lambda c: _when(c.date), reverse=True)
        else:
            found = [RepoCommit(content_sha(self.repos[name]), DEFAULT_DATE)]
        with self._lock:
            self._commits[name] = found
        return found

    def select(self, name: str, until: str | None, since: str | None) -> list[RepoCommit]:
        """Commits dated ≤ ``until`` and ≥ ``since``, newest first."""
        out = self.commits(name)
        if until:
            out = [c for c in out if _when(c.date) <= _when(until)]
        if since:
            out = [c for c in out if _when(c.date) >= _when(since)]
        return out

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
                sha = commit.sha
                self.archive(name, sha, f"{name.split('/')[-1]}-{sha}")

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


def gitlab_project_path(name: str) -> str:
    """The URL-encoded GitLab project id of ``group/name``."""
    return quote(name, safe="")


def split_target(target: str) -> tuple[str, dict[str, str]]:
    """Path (unquoted) and the first value of each query parameter."""
    parts = urlsplit(target)
    return unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}


def rst_close(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0): the client sees a connection reset."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def now_epoch() -> int:
    return int(time.time())


def to_json(data: Any) -> bytes:
    return json.dumps(data).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    github: GitHubServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Dropped connections are part of the act: no tracebacks on stderr."""


class Handler(BaseHTTPRequestHandler):
    """Routes one request to GitHub API, codeload or GitLab behaviour."""

    protocol_version = "HTTP/1.1"
    server_version = "toolcensus-loopback"
    _rec: RequestRecord

    def setup(self) -> None:
        """No Nagle: headers and body go out at once (no 40 ms delayed-ACK stalls)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence the default stderr access log."""

    @property
    def gh(self) -> GitHubServer:
        assert isinstance(self.server, _Server)
        return self.server.github

    def do_GET(self) -> None:  # noqa: N802
        path, query = split_target(self.path)
        self._rec = RequestRecord("GET", path, urlsplit(self.path).query, 0, "",
                                  self.headers.get("Authorization", ""), time.monotonic())
        self.gh.record(self._rec)
        self.gh.wait(self.gh.latency)
        self._route(path, query)

    def _route(self, path: str, query: dict[str, str]) -> None:
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "repos"] and len(parts) == 5 and parts[4] == "commits":
            self._serve("github", f"{parts[2]}/{parts[3]}", "api", query, "")
        elif parts[0] == "codeload" and len(parts) == 5 and parts[3] == "tar.gz":
            self._serve("github", f"{parts[1]}/{parts[2]}", "archive", query, parts[4])
        elif parts[:4] == ["gitlab", "api", "v4", "projects"] and len(parts) >= 7:
            name = "/".join(parts[4:-2])
            endpoint = parts[-1]
            kind = "api" if endpoint == "commits" else "archive"
            if endpoint in ("commits", "archive.tar.gz"):
                self._serve("gitlab", name, kind, query, query.get("sha", ""))
                return
            self._send_json(404, {"message": "404 Not Found"})
        else:
            self._send_json(404, {"message": "Not Found"})

    # -- dispatch --------------------------------------------------------
    def _serve(self, host: str, name: str, kind: str, query: dict[str, str], sha: str) -> None:
        if name not in self.gh.repos and name not in self.gh.faults:
            self._send_json(404, {"message": "Not Found"})
            return
        fault = self.gh.fault_for(name, kind, f"{kind}:{self.path}")
        if fault is not None:
            self._rec.fault = fault.kind
            if self._misbehave(fault, host, name, kind):
                return
        if name not in self.gh.repos:
            self._send_json(404, {"message": "Not Found"})
        elif kind == "api":
            self._commits(host, name, query)
        else:
            top = name.split("/")[-1] + (f"-{sha}" if host == "gitlab" else "")
            blob = self.gh.archive(name, sha, f"{top}-{sha}")
            if blob is None:
                self._send_json(404, {"message": "Not Found"})
            else:
                self._send_bytes(200, blob, "application/x-gzip")

    def _misbehave(self, fault: Fault, host: str, name: str, kind: str) -> bool:
        """Apply ``fault``; True when the response has been sent (or the socket dropped)."""
        k, gh = fault.kind, self.gh
        if k == "slow":
            gh.wait(gh.slow_seconds)
            return False
        if k in ("404", "410", "451", "500", "502", "503"):
            self._send_json(int(k), {"message": f"loopback fault {k}"})
        elif k == "private":
            self._send_json(403, {"message": "Repository access blocked"},
                            {"X-RateLimit-Remaining": "4999"})
        elif k == "429":
            self._send_json(429, {"message": "Too Many Requests"},
                            {"Retry-After": str(gh.retry_after)})
        elif k == "ratelimit":
            reset = now_epoch() + round(gh.ratelimit_reset)
            self._send_json(403, {"message": "API rate limit exceeded"},
                            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
        elif k == "empty":
            self._send_json(409, {"message": "Git Repository is empty."})
        elif k == "redirect":
            self._redirect(name, fault.arg)
        elif k == "reset":
            self.close_connection = True
            self._rec.status = -1
            rst_close(self.connection)
        else:
            self._archive_fault(k, name)
        return True

    def _redirect(self, old: str, new: str) -> None:
        target = self.path
        for form in (old, gitlab_project_path(old)):
            new_form = new if form == old else gitlab_project_path(new)
            target = target.replace(f"/{form}/", f"/{new_form}/", 1)
        self._rec.status = 301
        self.send_response(301)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _archive_fault(self, kind: str, name: str) -> None:
        sha = content_sha(self.gh.repos.get(name, {}))
        blob = build_archive(self.gh.repos.get(name, {"README.md": "x" * 4096}), f"x-{sha}")
        if kind == "truncated":
            self._send_bytes(200, blob[: max(20, len(blob) // 2)], "application/x-gzip")
        elif kind == "badlength":
            self._send_bytes(200, blob, "application/x-gzip", declared=len(blob) + 1000)
            self.close_connection = True
        elif kind == "notgzip":
            self._send_bytes(200, b"<html>Service unavailable</html>", "text/html")
        else:  # huge, huge_nolength
            junk = b"\x1f\x8b\x08\x00" + hashlib.sha256(name.encode()).digest() * 64
            reps = self.gh.huge_bytes // len(junk) + 1
            self._send_stream(junk, reps, with_length=(kind == "huge"))

    # -- normal responses ------------------------------------------------
    def _commits(self, host: str, name: str, query: dict[str, str]) -> None:
        history = self.gh.commits(name)
        if not history and host == "github":
            self._send_json(409, {"message": "Git Repository is empty."})
            return
        chosen = self.gh.select(name, query.get("until"), query.get("since"))
        per_page = max(1, min(100, int(query.get("per_page", "30"))))
        page = max(1, int(query.get("page", "1")))
        last = max(1, -(-len(chosen) // per_page))
        items = chosen[(page - 1) * per_page : page * per_page]
        extra = {"Link": self._links(query, page, last)} if last > 1 else {}
        if host == "gitlab":
            extra.update({"X-Total-Pages": str(last), "X-Page": str(page)})
            body: list[dict[str, Any]] = [
                {"id": c.sha, "short_id": c.sha[:8], "committed_date": c.date,
                 "created_at": c.date} for c in items
            ]
        else:
            body = [{"sha": c.sha, "commit": {"committer": {"date": c.date},
                                              "author": {"date": c.date}}} for c in items]
        self._send_json(200, body, extra)

    def _links(self, query: dict[str, str], page: int, last: int) -> str:
        base = f"{self.gh.base_url}{urlsplit(self.path).path}"

        def url(p: int) -> str:
            params = {**query, "page": str(p)}
            return base + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())

        rels = [(page + 1, "next")] if page < last else []
        rels += [(last, "last"), (1, "first")]
        return ", ".join(f'<{url(p)}>; rel="{rel}"' for p, rel in rels)

    def _send_json(self, status: int, data: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send_bytes(status, to_json(data), "application/json; charset=utf-8", headers)

    def _send_bytes(
        self,
        status: int,
        body: bytes,
        ctype: str,
        headers: Mapping[str, str] | None = None,
        declared: int | None = None,
    ) -> None:
        self._rec.status = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if declared is None else declared))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self._write(body)

    def _send_stream(self, chunk: bytes, reps: int, *, with_length: bool) -> None:
        self._rec.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/x-gzip")
        if with_length:
            self.send_header("Content-Length", str(len(chunk) * reps))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            for _ in range(reps):
                self._write(chunk)
        except OSError:
            self.close_connection = True

    def _write(self, body: bytes) -> None:
        """Write ``body``, paced to ``bandwidth`` bytes/s when set."""
        rate = self.gh.bandwidth
        if not rate:
            self.wfile.write(body)
            return
        step = max(1024, int(rate / 50))
        for start in range(0, len(body), step):
            if self.gh.closing.is_set():
                return
            piece = body[start : start + step]
            self.wfile.write(piece)
            time.sleep(len(piece) / rate)
