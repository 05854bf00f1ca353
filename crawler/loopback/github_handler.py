"""The request side of the loopback GitHub server: routing, faults, paced responses.

One :class:`Handler` per connection answers GitHub API, codeload and GitLab
requests from the :class:`~crawler.loopback.github_server.GitHubServer` it
belongs to (``server.github``), applying that server's faults.
"""

from __future__ import annotations

import hashlib
import json
import socket
import struct
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from crawler.loopback.github_model import (
    Fault,
    RequestRecord,
    archive_top,
    build_archive,
    content_sha,
)

if TYPE_CHECKING:
    from crawler.loopback.github_server import GitHubServer


def gitlab_project_path(name: str) -> str:
    """The URL-encoded GitLab project id of ``group/name``."""
    return quote(name, safe="")


def rst_close(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0): the client sees a connection reset."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Server(ThreadingHTTPServer):
    """Threaded, quiet, and knows its :class:`GitHubServer`."""

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
        assert isinstance(self.server, Server)
        return self.server.github

    def do_GET(self) -> None:  # noqa: N802
        target = urlsplit(self.path)
        path = unquote(target.path)
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        self._rec = RequestRecord("GET", path, target.query, 0, "",
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
            if self._misbehave(fault, name):
                return
        if name not in self.gh.repos:
            self._send_json(404, {"message": "Not Found"})
        elif kind == "api":
            self._commits(host, name, query)
        else:
            blob = self.gh.archive(name, sha, archive_top(host, name, sha))
            if blob is None:
                self._send_json(404, {"message": "Not Found"})
            else:
                self._send_bytes(200, blob, "application/x-gzip")

    def _misbehave(self, fault: Fault, name: str) -> bool:
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
            reset = int(time.time()) + round(gh.ratelimit_reset)
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
        if kind in ("truncated", "badlength"):
            sha = content_sha(self.gh.repos.get(name, {}))
            blob = build_archive(self.gh.repos.get(name, {"README.md": "x" * 4096}), f"x-{sha}")
            if kind == "truncated":
                self._send_bytes(200, blob[: max(20, len(blob) // 2)], "application/x-gzip")
            else:
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
        self._send_bytes(status, json.dumps(data).encode(), "application/json; charset=utf-8",
                         headers)

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
