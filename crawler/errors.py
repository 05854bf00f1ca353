"""The one error tree of toolcensus.

Stages raise these; ``crawler.pipeline`` turns them into failure records at
one boundary. ``reason`` is the short, stable string stored in datasets::

    CrawlError
    ├── ConfigError              bad usage or configuration (exit status 2)
    ├── DiscoverError            listing papers failed
    │   ├── AuthRequired         OpenReview wants a login (challenge page, 403)
    │   └── VenueNotFound        unknown venue or short form
    ├── ResolveError
    │   ├── NoCodeLink           no_code_link
    │   └── UnsupportedHost      unsupported_host
    ├── FetchError
    │   ├── NotFound             not_found   (404)
    │   ├── Gone                 gone        (410)
    │   ├── Private              private
    │   ├── Unavailable          unavailable (451, DMCA)
    │   ├── RateLimited          rate_limited
    │   ├── TooLarge             too_large
    │   ├── FetchTimeout         timeout
    │   ├── ServerError          server_error (5xx after retries)
    │   ├── ConnectionFailed     connection_error
    │   ├── BadCredentials       bad_credentials (401: fix GITHUB_TOKEN, re-run)
    │   ├── CorruptArchive       corrupt_archive
    │   └── EmptyRepository      empty_repository
    └── ExtractError
        └── NoPython             no_python
"""

from __future__ import annotations

from typing import ClassVar


class CrawlError(Exception):
    """Base of every error toolcensus raises on purpose."""

    reason: ClassVar[str] = "error"


class ConfigError(CrawlError, ValueError):
    reason = "config"


class DiscoverError(CrawlError):
    reason = "discover_failed"


class AuthRequired(DiscoverError):
    reason = "auth_required"


class VenueNotFound(DiscoverError, ConfigError):
    reason = "unknown_venue"


class ResolveError(CrawlError):
    reason = "resolve_failed"


class NoCodeLink(ResolveError):
    reason = "no_code_link"


class UnsupportedHost(ResolveError):
    reason = "unsupported_host"


class FetchError(CrawlError):
    reason = "fetch_failed"
    permanent: ClassVar[bool] = False  # permanent failures are not retried by a later run


class NotFound(FetchError):
    reason = "not_found"
    permanent = True


class Gone(FetchError):
    reason = "gone"
    permanent = True


class Private(FetchError):
    reason = "private"
    permanent = True


class Unavailable(FetchError):
    reason = "unavailable"
    permanent = True


class RateLimited(FetchError):
    reason = "rate_limited"


class TooLarge(FetchError):
    reason = "too_large"
    permanent = True


class FetchTimeout(FetchError):
    reason = "timeout"


class ServerError(FetchError):
    reason = "server_error"


class ConnectionFailed(FetchError):
    reason = "connection_error"


class BadCredentials(FetchError):
    """The host rejected our token; transient so that a re-run with a fixed token retries."""

    reason = "bad_credentials"


class CorruptArchive(FetchError):
    reason = "corrupt_archive"


class EmptyRepository(FetchError):
    reason = "empty_repository"
    permanent = True


class ExtractError(CrawlError):
    reason = "extract_failed"


class NoPython(ExtractError):
    reason = "no_python"
