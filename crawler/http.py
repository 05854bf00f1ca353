"""The only network client of toolcensus (our own HTTP; openreview-py has its own).

``HttpClient`` wraps a ``requests.Session`` with connect/read timeouts, a
total deadline for downloads, streaming with a size cap, bounded retries with
exponential backoff and jitter (5xx, 408, resets, timeouts, truncated bodies),
and rate-limit handling: ``Retry-After`` and ``X-RateLimit-Remaining``/``Reset``
are waited out while the total wait stays under ``settings.max_retry_wait``;
beyond that ceiling the request fails fast with ``RateLimited``.

Every third-party exception and every HTTP status is translated in one place,
:func:`map_http_errors` / :func:`error_for_status`, into ``crawler.errors``.
Permanent answers (404, 410, 451, private) are never retried.

The GitHub token goes out only as ``Authorization: Bearer`` to the GitHub API
and archive hosts; it is never stored in a repr, message or log line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from crawler import errors
from crawler.politeness import Limiter, limiter_for
from crawler.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

USER_AGENT = "toolcensus/0.1 (research crawler; +https://github.com/toolcensus)"
CHUNK_BYTES = 64 * 1024
MAX_JSON_BYTES = 16 * 1024 * 1024  # an API answer larger than this is refused
DOWNLOAD_DEADLINE = 30 * 60.0  # seconds for one download attempt (codeload's own limit)
RETRY_STATUSES = frozenset({408, 500, 502, 503, 504})
RETRYABLE: tuple[type[errors.FetchError], ...] = (
    errors.ServerError,
    errors.FetchTimeout,
    errors.ConnectionFailed,
)
RATE_LIMIT_HINT = (
    "No GITHUB_TOKEN is set: GitHub allows 60 API requests per hour without one. "
    "Set GITHUB_TOKEN (a token with no scopes is enough) for 5,000 per hour, "
    "then re-run: finished repositories are skipped and rate_limited ones retried."
)
_STATUS_ERRORS: dict[int, tuple[type[errors.CrawlError], str]] = {
    401: (errors.BadCredentials, "the token was rejected (401): check GITHUB_TOKEN"),
    403: (errors.Private, "access denied (403): private, blocked or disabled repository"),
    404: (errors.NotFound, "not found (404): deleted, renamed away or private"),
    409: (errors.EmptyRepository, "the repository is empty (409)"),
    410: (errors.Gone, "gone (410)"),
    451: (errors.Unavailable, "unavailable for legal reasons (451, e.g. DMCA)"),
}


class Throttled(errors.RateLimited):
    """A rate-limit answer; ``wait`` is what the server asked for (None: unknown)."""

    def __init__(self, message: str, wait: float | None) -> None:
        super().__init__(message)
        self.wait = wait


class Truncated(errors.ConnectionFailed):
    """The body ended before its declared length: retried like a reset."""


def safe_url(url: str) -> str:
    """``url`` without userinfo and query (never carries secrets into messages)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _retry_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``Retry-After`` or ``X-RateLimit-Reset`` (None: not said)."""
    after = headers.get("Retry-After", "")
    if after.strip().isdigit():
        return float(after)
    reset = headers.get("X-RateLimit-Reset", "")
    if reset.strip().isdigit():
        return max(0.0, float(reset) - time.time())
    return None


def error_for_status(status: int, headers: Mapping[str, str], url: str) -> errors.CrawlError | None:
    """The error an HTTP status means, or None for a success."""
    if status < 400:
        return None
    where = safe_url(url)
    exhausted = headers.get("X-RateLimit-Remaining") == "0"
    if status == 429 or (status == 403 and (exhausted or "Retry-After" in headers)):
        return Throttled(f"rate limited by {where} (HTTP {status})", _retry_wait(headers))
    if status in _STATUS_ERRORS:
        cls, text = _STATUS_ERRORS[status]
        return cls(f"{text}: {where}")
    if status in RETRY_STATUSES or status >= 500:
        return errors.ServerError(f"server error {status} from {where}")
    return errors.FetchError(f"unexpected HTTP {status} from {where}")


@contextlib.contextmanager
def map_http_errors(url: str) -> Iterator[None]:
    """Translate requests/urllib3/socket exceptions into ``crawler.errors`` (``from exc``)."""
    where = safe_url(url)
    try:
        yield
    except errors.CrawlError:
        raise
    except requests.Timeout as exc:
        raise errors.FetchTimeout(f"timed out talking to {where}") from exc
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError) as exc:
        raise Truncated(f"connection dropped mid-body from {where}") from exc
    except requests.ConnectionError as exc:
        if exc.args and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError):
            raise errors.FetchTimeout(f"read timed out from {where}") from exc
        raise errors.ConnectionFailed(f"connection failed to {where}") from exc
    except requests.TooManyRedirects as exc:
        raise errors.FetchError(f"too many redirects from {where}") from exc
    except requests.RequestException as exc:
        raise errors.FetchError(f"request to {where} failed: {type(exc).__name__}") from exc
    except OSError as exc:
        raise errors.ConnectionFailed(f"I/O error with {where}: {exc.strerror}") from exc


class HttpClient:
    """Polite, bounded HTTP for the fetch stage; a context manager."""

    def __init__(self, settings: Settings, limiter: Limiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter if limiter is not None else limiter_for(settings)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT
        self._session.max_redirects = 5
        self._rng = random.Random()
        self._github_prefixes = tuple(
            u.rstrip("/") + "/" for u in (settings.github_api_url, settings.github_archive_url)
        )

    def __repr__(self) -> str:
        token = "<set>" if self.settings.github_token else "<none>"
        return f"HttpClient(api={self.settings.github_api_url!r}, token={token})"

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    # -- public API ------------------------------------------------------
    def get_json(
        self, url: str, params: Mapping[str, str] | None = None
    ) -> tuple[Any, Mapping[str, str]]:
        """GET ``url`` and decode JSON; returns (data, response headers)."""
        return self._with_retries(url, lambda: self._get_json_once(url, params))

    def download(self, url: str, dest: str, max_bytes: int) -> int:
        """Stream ``url`` into the file ``dest``; returns bytes written.

        Raises ``TooLarge`` as soon as ``Content-Length`` or the bytes seen pass
        ``max_bytes``; a body shorter than its ``Content-Length`` is retried.
        """

        def once() -> int:
            with self.limiter.download_slot():
                return self._download_once(url, dest, max_bytes)

        return self._with_retries(url, once)

    # -- one attempt -----------------------------------------------------
    def _send(self, url: str, params: Mapping[str, str] | None, accept: str) -> requests.Response:
        self.limiter.acquire_request()
        headers = {"Accept": accept}
        if self.settings.github_token and url.startswith(self._github_prefixes):
            headers["Authorization"] = f"Bearer {self.settings.github_token}"
            if url.startswith(self._github_prefixes[0]):
                headers["X-GitHub-Api-Version"] = "2022-11-28"
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        response = self._session.get(url, params=params, headers=headers, timeout=timeout,
                                     stream=True)
        self._note_quota(response.headers, url)
        problem = error_for_status(response.status_code, response.headers, url)
        if problem is not None:
            response.close()
            raise problem
        return response

    def _get_json_once(self, url: str, params: Mapping[str, str] | None) -> tuple[Any, Any]:
        with map_http_errors(url):
            response = self._send(url, params, "application/vnd.github+json, application/json")
            with response:
                body = bytearray()
                for chunk in response.iter_content(CHUNK_BYTES):
                    body += chunk
                    if len(body) > MAX_JSON_BYTES:
                        raise errors.TooLarge(f"API answer over {MAX_JSON_BYTES} bytes")
                _check_length(response, len(body), url)
                try:
                    return json.loads(body), response.headers
                except ValueError as exc:
                    raise errors.ServerError(f"invalid JSON from {safe_url(url)}") from exc

    def _download_once(self, url: str, dest: str, max_bytes: int) -> int:
        part = f"{dest}.part"
        try:
            with map_http_errors(url):
                response = self._send(url, None, "application/octet-stream")
                with response, open(part, "wb") as out:
                    declared = response.headers.get("Content-Length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise errors.TooLarge(_too_large(url, int(declared), max_bytes))
                    written = _stream(response, out, max_bytes, url)
                    _check_length(response, written, url)
            os.replace(part, dest)
            return written
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(part)

    # -- retries ---------------------------------------------------------
    def _with_retries(self, url: str, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` with bounded retries, backoff and rate-limit waits."""
        waited, tries = 0.0, self.settings.retries + 1
        for n in range(tries):
            waited += self._respect_hold_off(url, waited)
            try:
                return attempt()
            except Throttled as exc:
                wait = exc.wait if exc.wait is not None else self._backoff(n)
                if n + 1 == tries or waited + wait > self.settings.max_retry_wait:
                    raise self._rate_limited(exc, wait) from exc
                self.limiter.hold_off(_host(url), wait)  # slept at the top of the next try
            except RETRYABLE as exc:
                if n + 1 == tries:
                    raise
                log.debug("retrying %s after %s", safe_url(url), type(exc).__name__)
                time.sleep(self._backoff(n))
        raise AssertionError("unreachable")  # pragma: no cover

    def _respect_hold_off(self, url: str, waited: float) -> float:
        """Sleep out the host's cool-off if it fits under the ceiling; returns the sleep."""
        pause = self.limiter.blocked_for(_host(url))
        if pause <= 0:
            return 0.0
        if waited + pause > self.settings.max_retry_wait:
            raise self._rate_limited(None, pause)
        time.sleep(pause)
        return pause

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter, capped at ``max_retry_wait``."""
        full = min(self.settings.max_retry_wait, self.settings.backoff_base * 2.0**attempt)
        return full / 2 + self._rng.uniform(0, full / 2)

    def _rate_limited(self, exc: Exception | None, wait: float) -> errors.RateLimited:
        ceiling = self.settings.max_retry_wait
        text = f"{exc}; " if exc is not None else "quota exhausted; "
        text += f"the server asks to wait {wait:.0f} s, over the max_retry_wait ceiling of "
        text += f"{ceiling:.0f} s. A later run retries this repository."
        if not self.settings.github_token:
            text += " " + RATE_LIMIT_HINT
            _warn_once(RATE_LIMIT_HINT)
        return errors.RateLimited(text)

    def _note_quota(self, headers: Mapping[str, str], url: str) -> None:
        """On a success that used the last request of the quota, pause until it resets."""
        if headers.get("X-RateLimit-Remaining") == "0":
            wait = _retry_wait(headers)
            if wait:
                self.limiter.hold_off(_host(url), wait)


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    """Log ``message`` once per process (each worker says it once, not per repository)."""
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning("GitHub rate limit reached. %s", message)


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _too_large(url: str, size: int, cap: int) -> str:
    return f"archive at {safe_url(url)} is over the cap: {size} > {cap} bytes"


def _stream(response: requests.Response, out: IO[bytes], max_bytes: int, url: str) -> int:
    written, started = 0, time.monotonic()
    for chunk in response.iter_content(CHUNK_BYTES):
        written += len(chunk)
        if written > max_bytes:
            raise errors.TooLarge(_too_large(url, written, max_bytes))
        if time.monotonic() - started > DOWNLOAD_DEADLINE:
            raise errors.FetchTimeout(f"download from {safe_url(url)} over {DOWNLOAD_DEADLINE} s")
        out.write(chunk)
    return written


def _check_length(response: requests.Response, got: int, url: str) -> None:
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    if declared.isdigit() and not encoded and got != int(declared):
        raise Truncated(f"body from {safe_url(url)} ended at {got} of {declared} bytes")
