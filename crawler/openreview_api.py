"""The openreview-py adapter: clients, login, pacing, the page cache, error mapping.

Discovery asks for whole listings (:meth:`OpenReviewAPI.list_notes`); this
module turns them into cursor-paged ``get_notes`` calls of the real clients
(``openreview.Client`` for API v1, ``openreview.api.OpenReviewClient`` for v2),
exactly the requests ``get_all_notes`` makes (``limit=1000&sort=id``, then
``after=<last id>``), but it stops at the first short page instead of asking
once more, and checks the distinct ids against ``count``.

* **Login.** ``OPENREVIEW_TOKEN`` is used as is on both hosts. Otherwise
  ``OPENREVIEW_USERNAME``/``OPENREVIEW_PASSWORD`` log in once, on API v2 (where
  OpenReview's login lives); the v1 client reuses that token. Clients are made
  lazily, so a run served entirely from the cache makes no request at all.
* **Pacing.** At most one request every ``settings.openreview_pace`` seconds.
* **Cache.** Every page is stored as JSON under
  ``<out>/_cache/openreview/<host>/<api>/<listing>/<page>-<hash>.json``
  (``<host>`` without port, so a replay server on a new port reuses it). With
  ``settings.fresh`` pages are fetched again (and rewritten).
* **Retries.** The clients' own policy may sleep for hours on a ``Retry-After``;
  it is remounted with ``settings.retries`` and waits capped at
  ``settings.max_retry_wait`` (the first retry is immediate).
* **Errors.** A challenge page, 401/403 or a failed login raise
  :class:`~crawler.errors.AuthRequired`; anything else :class:`DiscoverError`,
  each naming what to set or change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from crawler import storage
from crawler.errors import AuthRequired, DiscoverError
from crawler.settings import Settings

log = logging.getLogger(__name__)
PAGE_SIZE = 1000  # the API's maximum ``limit``
CREDENTIALS_HINT = ("Set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD (or OPENREVIEW_TOKEN) to an "
                    "OpenReview account and re-run.")
_NOTE_KEYS = ("id", "number", "forum", "replyto", "invitation", "invitations", "content",
              "details", "pdate", "cdate", "odate", "tcdate", "mdate", "domain")
T = TypeVar("T")


class _CappedRetry(Retry):
    """urllib3 ``Retry`` whose ``Retry-After`` waits never exceed ``cap`` seconds."""

    cap: float = 120.0

    def get_retry_after(self, response: Any) -> float | None:
        wait = super().get_retry_after(response)
        return None if wait is None else min(wait, self.cap)


def _retry_adapter(settings: Settings) -> HTTPAdapter:
    retry_class = type("Retry", (_CappedRetry,), {"cap": settings.max_retry_wait})
    retry = retry_class(
        total=settings.retries, connect=1, backoff_factor=settings.backoff_base,
        backoff_max=settings.max_retry_wait, status_forcelist=[429, 500, 502, 503, 504],
        raise_on_status=False, respect_retry_after_header=True,
    )
    return HTTPAdapter(max_retries=retry)


def note_dict(note: Any) -> dict[str, Any]:
    """The raw fields of an openreview-py ``Note`` (v1 or v2) that discovery reads."""
    out = {key: getattr(note, key, None) for key in _NOTE_KEYS}
    return {k: v for k, v in out.items() if v is not None}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:80] or "listing"


def _host_label(url: str) -> str:
    return (urlsplit(url).hostname or "unknown").lower()


def _error_fields(exc: BaseException) -> tuple[str, str, int]:
    err = exc.args[0] if exc.args else {}
    if isinstance(err, Mapping):
        status = err.get("status")
        return str(err.get("name", "")), str(err.get("message", "")), int(status or 0)
    return "", str(err), 0


class OpenReviewAPI:
    """Cached, paced, authenticated access to both OpenReview APIs for one run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests_made = 0
        self._clients: dict[str, Any] = {}
        self._token = settings.openreview_token
        self._last = 0.0

    # -- clients -------------------------------------------------------------------------
    def _baseurl(self, api: str) -> str:
        s = self.settings
        return s.openreview_baseurl if api == "v1" else s.openreview_baseurl_v2

    def _pace(self) -> None:
        wait = self._last + self.settings.openreview_pace - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()
        self.requests_made += 1

    def _construct(self, api: str, **kwargs: Any) -> Any:
        import openreview
        from openreview.api import OpenReviewClient

        cls = openreview.Client if api == "v1" else OpenReviewClient
        if kwargs:  # a login or a token's profile look-up makes a request
            self._pace()
        client = cls(baseurl=self._baseurl(api), **kwargs)
        adapter = _retry_adapter(self.settings)
        client.session.mount("http://", adapter)
        client.session.mount("https://", adapter)
        return client

    def _login(self) -> None:
        s = self.settings
        user = s.openreview_username
        if not self._token and user and s.openreview_password:
            try:
                client = self._construct("v2", username=user, password=s.openreview_password)
            except AuthRequired:
                raise
            except Exception as exc:  # noqa: BLE001 - every login failure is reported the same
                _, message, _ = _error_fields(exc)
                raise AuthRequired(
                    f"OpenReview login as {user!r} at {self._baseurl('v2')} failed: "
                    f"{message or type(exc).__name__}. Check OPENREVIEW_USERNAME and "
                    "OPENREVIEW_PASSWORD, or set OPENREVIEW_TOKEN (accounts with "
                    "two-factor login need OPENREVIEW_TOKEN)."
                ) from exc
            self._token = str(client.token)
            self._clients["v2"] = client

    def client(self, api: str) -> Any:
        """The openreview-py client for ``api`` ("v1" or "v2"), logged in when possible."""
        if api not in self._clients:
            self._login()
            if api not in self._clients:
                kwargs = {"token": self._token} if self._token else {}
                self._clients[api] = self._call(api, lambda: self._construct(api, **kwargs))
        return self._clients[api]

    # -- errors --------------------------------------------------------------------------
    def _call(self, api: str, fn: Callable[[], T]) -> T:
        host = self._baseurl(api)
        who = "anonymously" if not self._token else "with your login"
        try:
            return fn()
        except requests.exceptions.JSONDecodeError as exc:
            raise AuthRequired(
                f"OpenReview ({host}) answered {who} with a browser-verification page instead of "
                f"JSON: it refuses anonymous listing since 2026. {CREDENTIALS_HINT}"
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise DiscoverError(
                f"cannot reach OpenReview at {host}: {type(exc).__name__}. Check the network, "
                "or OPENREVIEW_API_BASEURL / OPENREVIEW_API_BASEURL_V2."
            ) from exc
        except KeyError as exc:
            raise DiscoverError(f"unexpected answer from OpenReview at {host}: "
                                f"no {exc} in the JSON") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("openreview"):
                raise self._mapped(host, exc) from exc
            raise

    def _mapped(self, host: str, exc: Exception) -> DiscoverError:
        name, message, status = _error_fields(exc)
        text = f"{name or 'Error'}: {message}".strip()
        if name in ("ChallengeRequiredError", "ForbiddenError", "UnauthorizedError",
                    "TokenExpiredError") or status in (401, 403) or "challenge" in message.lower():
            return AuthRequired(f"OpenReview ({host}) refused the request ({text}). "
                                f"{CREDENTIALS_HINT} If they are set, the token may have expired.")
        if name == "RateLimitError" or status == 429:
            return DiscoverError(f"OpenReview ({host}) rate-limited the crawl ({text}). Wait and "
                                 "re-run: pages fetched so far are cached.")
        if message.startswith("Please use"):
            return DiscoverError(f"{message} (check OPENREVIEW_API_BASEURL and "
                                 "OPENREVIEW_API_BASEURL_V2, and `api:` in configs/venues.yaml)")
        return DiscoverError(f"OpenReview ({host}) rejected the query: {text}. If this is a "
                             "catalogue venue, check its listing/api in configs/venues.yaml.")

    # -- pages ---------------------------------------------------------------------------
    def _cache_url(self, api: str, params: Mapping[str, str], after: str, page: int) -> str:
        listing = params.get("invitation") or params.get("content.venueid") or "notes"
        digest = hashlib.sha1(
            json.dumps([sorted(params.items()), after], sort_keys=True).encode()
        ).hexdigest()[:12]
        return storage.join(self.settings.out, "_cache", "openreview",
                            _host_label(self._baseurl(api)), api, _slug(listing),
                            f"{page:04d}-{digest}.json")

    def _fetch(self, api: str, params: Mapping[str, str], after: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE, "sort": "id", "with_count": not after}
        content = {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith("content.")}
        if content:
            kwargs["content"] = content
        kwargs.update({k: v for k, v in params.items() if not k.startswith("content.")})
        if after:
            kwargs["after"] = after
        client = self.client(api)

        def get() -> Any:
            self._pace()
            return client.get_notes(**kwargs)

        result = self._call(api, get)
        notes, count = result if isinstance(result, tuple) else (result, None)
        return {"notes": [note_dict(n) for n in notes], "count": count,
                "request": {"api": api, "params": dict(params), "after": after}}

    def page(self, api: str, params: Mapping[str, str], after: str, number: int) -> dict[str, Any]:
        """One page of a listing, from the cache when there (unless ``fresh``)."""
        url = self._cache_url(api, params, after, number)
        options = self.settings.storage_options
        if not self.settings.fresh and storage.exists(url, options):
            cached: dict[str, Any] = storage.read_json(url, options)
            return cached
        data = self._fetch(api, params, after)
        storage.write_json(url, data, options)
        return data

    def list_notes(self, api: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """Every note of a listing (``invitation``/``content.venueid``/``details`` params)."""
        notes: list[dict[str, Any]] = []
        after, count, number = "", None, 0
        while True:
            data = self.page(api, params, after, number)
            batch = data["notes"]
            count = data["count"] if number == 0 else count
            notes += batch
            if len(batch) < PAGE_SIZE:
                break
            after, number = str(batch[-1]["id"]), number + 1
        distinct = len({n["id"] for n in notes})
        if count is not None and distinct != count:
            log.warning("OpenReview %s listing %s: %d distinct notes but count=%s",
                        api, dict(params), distinct, count)
        return notes
