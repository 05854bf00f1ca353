"""What the loopback GitHub server serves: commits, fault specs, the request log, archives.

Plain data and pure functions shared by :mod:`crawler.loopback.github_server`
(the server object) and :mod:`crawler.loopback.github_handler` (the requests).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
        """A fault from ``"[api:|archive:]KIND[*N][:ARG]"``."""
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


def _blob(data: str | bytes) -> bytes:
    return data.encode() if isinstance(data, str) else data


def content_sha(files: Files) -> str:
    """A deterministic 40-hex sha of a repository's content."""
    h = hashlib.sha1()
    for path in sorted(files):
        h.update(path.encode() + b"\0" + _blob(files[path]))
    return h.hexdigest()


def build_archive(files: Files, top: str) -> bytes:
    """A deterministic ``.tar.gz`` with every member under ``top/``."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            blob = _blob(files[path])
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size, info.mtime, info.mode = len(blob), 1559347200, 0o644
            tar.addfile(info, io.BytesIO(blob))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0)  # git archive's level


def archive_top(host: str, name: str, sha: str) -> str:
    """The archive's top folder: ``{repo}-{sha}`` (codeload), ``{repo}-{sha}-{sha}`` (GitLab)."""
    repo = name.split("/")[-1]
    return f"{repo}-{sha}-{sha}" if host == "gitlab" else f"{repo}-{sha}"


def parse_date(date: str) -> datetime:
    """An ISO-8601 date as GitHub writes it (``Z`` suffix); a naive date is taken as UTC."""
    parsed = datetime.fromisoformat(date.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
