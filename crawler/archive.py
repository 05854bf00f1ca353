"""Reading repository members, never extracting: the member policy shared by all readers.

Each reader (``iter_directory`` here, ``archive_tar.iter_tar``,
``archive_zip.iter_zip``) yields ``Entry`` values: every regular file's
repo-relative path, its bytes only when ``wants(path)`` says so, or an error for
a member that is skipped (hostile path, link, device, too large, cap reached).
Nothing is ever written to disk, so nothing can land outside a target.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable, Iterator
from typing import NamedTuple, Protocol

_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".ipynb_checkpoints", ".tox",
                        "node_modules"})


class ArchiveLimits(Protocol):
    """The caps an archive reader honours (``crawler.extract.Limits`` has them)."""

    @property
    def max_member_bytes(self) -> int: ...
    @property
    def max_repo_bytes(self) -> int: ...
    @property
    def max_members(self) -> int: ...


class Entry(NamedTuple):
    """One member: ``data`` is None when it was not read; ``error`` set when skipped."""

    path: str
    data: bytes | None = None
    error: str = ""


Wants = Callable[[str], bool]


def safe_name(name: str) -> tuple[str, str]:
    """``(normalised path, "")`` or ``("", reason)`` for absolute or escaping names."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "", "absolute path"
    norm = posixpath.normpath(name)
    if norm == ".." or norm.startswith("../") or "/../" in f"/{name}/":
        return "", "path escapes the archive (..)"
    return ("" if norm == "." else norm), ""


def member_cap(limits: ArchiveLimits) -> str:
    """The error of the first member over ``max_members``."""
    return f"member cap reached ({limits.max_members} members); rest skipped"


def size_cap(limits: ArchiveLimits) -> str:
    """The error of the first member over ``max_repo_bytes``."""
    return f"repository size cap reached ({limits.max_repo_bytes} bytes); rest skipped"


class Budget:
    """Members and bytes read so far against the repository caps."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits, self.read, self.members = limits, 0, 0

    def over(self, size: int) -> str:
        """Count one member of ``size`` bytes; the cap error once a cap is passed, else ""."""
        self.members += 1
        self.read += size
        if self.members > self.limits.max_members:
            return member_cap(self.limits)
        if self.read > self.limits.max_repo_bytes:
            return size_cap(self.limits)
        return ""


def strip_top(path: str, top: str) -> str:
    """``path`` without the archive's single top folder ``top`` (GitHub's ``repo-sha/``)."""
    return path[len(top) + 1 :] if top and path.startswith(top + "/") else path


def iter_directory(root: str, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    """Files under a directory; symlinks and special files are reported, never followed."""
    budget = Budget(limits)
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for fname in sorted(files):
            full = os.path.join(folder, fname)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                yield Entry(rel, error="link not followed")
                continue
            if not stat.S_ISREG(st.st_mode):
                yield Entry(rel, error="device or special file skipped")
                continue
            wanted = wants(rel)
            stop = budget.over(min(st.st_size, limits.max_member_bytes + 1) if wanted else 0)
            if stop:
                yield Entry(rel, error=stop)
                return
            if not wanted:
                yield Entry(rel)
            elif st.st_size > limits.max_member_bytes:
                yield Entry(rel, error=f"member too large ({st.st_size} bytes)")
            else:
                with open(full, "rb") as fh:
                    yield Entry(rel, fh.read())
