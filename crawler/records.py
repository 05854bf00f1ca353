"""Frozen records that cross stage boundaries.

discover → ``Paper`` → resolve → ``CodeLink`` → fetch → ``Commit``/``Archive``
→ extract → ``Extraction`` (of ``Tool``) → pipeline → ``RepoResult``.

Every record is a frozen, slotted dataclass: cheap to pickle to Dask workers,
comparable with ``==`` in tests, changed only with ``dataclasses.replace``.
Collections are tuples so that records stay hashable.
"""

from __future__ import annotations

import traceback
from dataclasses import asdict, dataclass, field
from typing import Any

FRAMEWORK_FAMILIES: tuple[str, ...] = (
    "pytorch",
    "tensorflow",
    "keras",
    "jax",
    "mxnet",
    "chainer",
    "theano",
    "paddlepaddle",
)
SOURCE_KINDS: tuple[str, ...] = ("declared", "imported", "installed")


@dataclass(frozen=True, slots=True)
class Paper:
    """One accepted paper, with or without code links."""

    paper_id: str
    venue: str  # short venue name, e.g. "ICLR"
    year: int
    title: str
    venue_id: str = ""  # OpenReview venue id, e.g. "ICLR.cc/2020/Conference"
    decision: str = ""
    tier: str = ""  # oral / spotlight / poster / accept / "" (unknown)
    code_urls: tuple[str, ...] = ()
    link_source: str = ""  # which field or source gave the first link
    keywords: tuple[str, ...] = ()
    primary_area: str = ""
    author_domains: tuple[str, ...] = ()  # e-mail domains of authors, when public
    snapshot_date: str = ""  # ISO-8601; the venue's conference end date


@dataclass(frozen=True, slots=True)
class CodeLink:
    """A code URL of a paper, normalised and classified."""

    paper_id: str
    url: str  # normalised URL, e.g. "https://github.com/owner/name"
    source: str  # field or source it came from: "code", "abstract", "links-file", ...
    host: str  # "github", "gitlab", or the bare host name of anything else
    repo: str = ""  # "github.com/owner/name" when host is supported, else ""
    primary: bool = True  # the link chosen as the authors' repository (one per paper)

    @property
    def supported(self) -> bool:
        return self.host in ("github", "gitlab") and bool(self.repo)


@dataclass(frozen=True, slots=True)
class Commit:
    """The commit a repository is read at."""

    repo: str
    sha: str
    date: str  # committer date, ISO-8601
    snapshot: str  # "publication", "head" or "after-publication"


@dataclass(frozen=True, slots=True)
class Archive:
    """A downloaded archive on the worker's local disk (a temporary file)."""

    commit: Commit
    path: str
    nbytes: int


@dataclass(frozen=True, slots=True)
class Tool:
    """One distribution a repository uses, with its provenance."""

    name: str  # PEP 503 normalised distribution name
    sources: tuple[str, ...]  # subset of SOURCE_KINDS, sorted
    spec: str = ""  # version specifier, "" when none
    files: tuple[str, ...] = ()  # repo-relative paths that gave it, sorted
    via: tuple[str, ...] = ()  # why: import names or manifest lines that mapped to it


@dataclass(frozen=True, slots=True)
class FileError:
    """A file the extractor could not read, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extract learns about one repository."""

    tools: tuple[Tool, ...] = ()
    frameworks: tuple[str, ...] = ()  # family names from FRAMEWORK_FAMILIES
    unresolved: tuple[str, ...] = ()  # import names that could not be mapped
    own: tuple[str, ...] = ()  # the repository's own project/package names, never tools
    errors: tuple[FileError, ...] = ()
    manifests: tuple[str, ...] = ()  # dependency files found, repo-relative
    n_files: int = 0
    n_py_files: int = 0
    n_notebooks: int = 0

    def to_json(self, path: str) -> dict[str, Any]:
        """The ``extract --json`` object of the contract."""
        return {"path": path, **asdict(self)}


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a stage gave up; built at the one boundary that catches errors."""

    stage: str
    reason: str
    message: str
    traceback: str = field(default="", repr=False)

    @classmethod
    def from_exception(cls, exc: BaseException, *, stage: str) -> Failure:
        reason = getattr(exc, "reason", "") or f"bug:{type(exc).__name__}"
        tb = "".join(traceback.format_exception(exc)) if reason.startswith("bug:") else ""
        return cls(stage=stage, reason=reason, message=str(exc) or type(exc).__name__, traceback=tb)


@dataclass(frozen=True, slots=True)
class RepoResult:
    """One (paper, repository) outcome: ``status`` is "ok" or a failure reason."""

    paper_id: str
    venue: str
    year: int
    repo: str
    url: str
    link_source: str
    status: str
    error: str = ""
    stage: str = ""  # stage that failed, "" when ok
    sha: str = ""
    commit_date: str = ""
    snapshot: str = ""
    archive_bytes: int = 0
    extraction: Extraction = Extraction()

    @property
    def ok(self) -> bool:
        return self.status == "ok"
