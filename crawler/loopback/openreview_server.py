"""A loopback replay of the OpenReview APIs, for the real openreview-py clients.

``with OpenReviewReplay(recordings) as srv:`` serves API v1 under ``srv.url_v1``
(``…/v1``) and API v2 under ``srv.url_v2`` (``…/v2``) on 127.0.0.1; ``srv.url``
(no prefix) answers from both. Implemented (as the real hosts answer them):

* ``GET /notes`` with ``id``, ``forum``, ``replyto``, ``number``, ``invitation``,
  ``content.<field>``, ``domain``; ``sort`` (``id`` or ``number[:asc|:desc]``),
  ``after`` (cursor on ``id``), ``offset``, ``limit`` (> 1000 → 400
  ValidationError); ``details=directReplies|replies``; ``count`` always on v1,
  on v2 only with ``count=true`` or an ``offset``.
* ``POST /login`` → a JWT (``users`` restricts the accepted credentials),
  ``GET /profiles``, ``GET /groups?id=``.
* ``require_auth``: answer unauthenticated ``/notes`` with the live 2026 refusal,
  ``"challenge"`` (200 HTML page) or ``"forbidden"`` (403 ChallengeRequiredError).
* :meth:`OpenReviewReplay.fail_next` injects error answers for the next requests.

``srv.requests`` lists every ``(method, path?query)`` received, in order.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from crawler.loopback.openreview_data import Recordings

CHALLENGE_HTML = (
    "<!DOCTYPE html><html><head><title>Verifying your browser | OpenReview</title></head>"
    "<body><div class=\"cf-turnstile\"></div><p>Verifying you are human.</p></body></html>"
)
FAILURES: dict[str, tuple[int, str, Any]] = {
    "challenge": (200, "text/html; charset=utf-8", CHALLENGE_HTML),
    "forbidden": (403, "json", {"name": "ChallengeRequiredError", "message":
                                "Please complete the challenge to continue", "status": 403}),
    "validation": (400, "json", {"name": "ValidationError", "message": "limit must be <= 1000",
                                 "status": 400}),
    "not_found": (404, "json", {"name": "NotFoundError", "message": "Not Found", "status": 404}),
    "rate_limit": (429, "json", {"name": "RateLimitError", "message": "Too many requests",
                                 "status": 429}),
    "server_error": (500, "json", {"name": "Error", "message": "Internal Server Error",
                                   "status": 500}),
}
USER_ID = "~Replay_User1"
_JWT_KEY = "replay-server-signing-key-not-a-secret"


def _value(note: dict[str, Any], key: str) -> Any:
    raw = (note.get("content") or {}).get(key)
    return raw.get("value") if isinstance(raw, dict) and "value" in raw else raw


class _Store:
    """The notes of one API, sorted by id, with their replies indexed."""

    def __init__(self, notes: list[dict[str, Any]], v2: bool) -> None:
        self.v2 = v2
        self.notes = sorted(notes, key=lambda n: str(n["id"]))
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.forum: dict[str, list[dict[str, Any]]] = {}
        for note in self.notes:
            if note.get("replyto"):
                self.replies.setdefault(str(note["replyto"]), []).append(note)
            if note.get("forum") and note["forum"] != note["id"]:
                self.forum.setdefault(str(note["forum"]), []).append(note)

    def _match(self, note: dict[str, Any], key: str, want: str) -> bool:
        if key.startswith("content."):
            got = _value(note, key[8:])
            return want in got if isinstance(got, list) else str(got) == want
        if key == "invitation":
            return want == note.get("invitation") or want in (note.get("invitations") or [])
        return str(note.get(key)) == want

    def query(self, q: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
        keys = [k for k in q if k in ("id", "forum", "replyto", "number", "invitation", "domain")
                or k.startswith("content.")]
        found = [n for n in self.notes if all(self._match(n, k, q[k]) for k in keys)]
        sort = q.get("sort", "id")
        if sort.startswith("number"):
            found.sort(key=lambda n: n.get("number") or 0, reverse=sort.endswith(":desc"))
        total = len(found)
        if q.get("after"):
            found = [n for n in found if str(n["id"]) > q["after"]]
        offset, limit = int(q.get("offset") or 0), int(q.get("limit") or 1000)
        page = [self._with_details(n, q.get("details", "")) for n in found[offset:offset + limit]]
        return page, total

    def _with_details(self, note: dict[str, Any], details: str) -> dict[str, Any]:
        if not details:
            return note
        out = dict(note)
        extra: dict[str, Any] = {}
        if "directReplies" in details:
            extra["directReplies"] = self.replies.get(str(note["id"]), [])
        if re.search(r"(^|,)replies", details):
            extra["replies"] = self.forum.get(str(note["id"]), [])
        out["details"] = {**(note.get("details") or {}), **extra}
        return out


class OpenReviewReplay:
    """The replay server; a context manager (see the module docstring)."""

    def __init__(self, recordings: Recordings, *, require_auth: str = "",
                 users: dict[str, str] | None = None) -> None:
        self.recordings = recordings
        self.require_auth = require_auth
        self.users = users
        self.requests: list[tuple[str, str]] = []
        self._stores = {"v1": _Store(recordings.v1, False), "v2": _Store(recordings.v2, True)}
        self._failures: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = self.url_v1 = self.url_v2 = ""

    # -- control -------------------------------------------------------------------------
    def fail_next(self, kind: str, times: int = 1, path: str = "/notes") -> None:
        """Answer the next ``times`` requests to ``path`` with a :data:`FAILURES` answer."""
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}; known: {', '.join(FAILURES)}")
        with self._lock:
            self._failures += [(path, kind)] * times

    def _take_failure(self, path: str) -> str:
        with self._lock:
            for i, (want, kind) in enumerate(self._failures):
                if path.endswith(want):
                    del self._failures[i]
                    return kind
        return ""

    def start(self) -> OpenReviewReplay:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.replay = self  # type: ignore[attr-defined]
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self.url_v1, self.url_v2 = self.url + "/v1", self.url + "/v2"
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OpenReviewReplay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def paths(self, prefix: str = "") -> Iterator[str]:
        """Received request paths (with query) starting with ``prefix``."""
        return (p for _, p in self.requests if p.startswith(prefix))

    # -- answers -------------------------------------------------------------------------
    def _stores_for(self, path: str) -> list[_Store]:
        if path.startswith("/v1/"):
            return [self._stores["v1"]]
        if path.startswith("/v2/"):
            return [self._stores["v2"]]
        return [self._stores["v1"], self._stores["v2"]]

    def notes(self, path: str, q: dict[str, str], authed: bool) -> tuple[int, str, Any]:
        if self.require_auth and not authed:
            return FAILURES["challenge" if self.require_auth == "challenge" else "forbidden"]
        if int(q.get("limit") or 0) > 1000:
            return FAILURES["validation"]
        notes: list[dict[str, Any]] = []
        total = 0
        for store in self._stores_for(path):
            page, count = store.query(q)
            notes += page
            total += count
        body: dict[str, Any] = {"notes": notes}
        v2_only = path.startswith("/v2/")
        if not v2_only or q.get("count") == "true" or "offset" in q:
            body["count"] = total
        return 200, "json", body

    def login(self, body: dict[str, Any]) -> tuple[int, str, Any]:
        user, password = str(body.get("id") or ""), str(body.get("password") or "")
        ok = bool(user and password) and (self.users is None or self.users.get(user) == password)
        if not ok:
            return 400, "json", {"name": "ValidationError", "status": 400,
                                 "message": "Invalid username or password"}
        user_json = {"id": USER_ID, "profile": {"id": USER_ID, "usernames": [USER_ID]}}
        token = jwt.encode({"user": user_json}, _JWT_KEY, algorithm="HS256")
        return 200, "json", {"token": token, "user": user_json}

    def groups(self, q: dict[str, str]) -> tuple[int, str, Any]:
        group = self.recordings.groups.get(q.get("id", ""))
        if group is None:
            return FAILURES["not_found"]
        return 200, "json", {"groups": [group], "count": 1}


class _Handler(BaseHTTPRequestHandler):
    server_version = "OpenReviewReplay/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return

    def _send(self, status: int, kind: str, body: Any) -> None:
        data = (json.dumps(body) if kind == "json" else str(body)).encode("utf-8")
        ctype = "application/json; charset=utf-8" if kind == "json" else kind
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, method: str) -> None:
        replay: OpenReviewReplay = self.server.replay  # type: ignore[attr-defined]
        replay.requests.append((method, self.path))
        parts = urlsplit(self.path)
        path = parts.path
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        failure = replay._take_failure(path)
        if failure:
            return self._send(*FAILURES[failure])
        authed = self.headers.get("Authorization", "").startswith("Bearer ")
        if method == "POST" and path.endswith("/login"):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            return self._send(*replay.login(body))
        if method == "GET" and path.endswith("/notes"):
            return self._send(*replay.notes(path, q, authed))
        if method == "GET" and path.endswith("/groups"):
            return self._send(*replay.groups(q))
        if method == "GET" and path.endswith("/profiles"):
            profile = {"id": q.get("id", USER_ID), "content": {"names": []}}
            return self._send(200, "json", {"profiles": [profile], "count": 1})
        return self._send(*FAILURES["not_found"])

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._answer("POST")
