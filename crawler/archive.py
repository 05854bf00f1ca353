"""Reading repository members from a directory, a .tar.gz or a .zip, never extracting.

Each reader yields ``Entry`` values: every regular file's repo-relative path,
its bytes only when ``wants(path)`` says so, or an error for a member that is
skipped (hostile path, link, device, too large, cap reached). Nothing is ever
written to disk, so nothing can land outside a target.
"""

from __future__ import annotations

import gzip
import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Protocol, cast

from crawler.errors import CorruptArchive

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


@dataclass(frozen=True, slots=True)
class Entry:
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


class _Budget:
    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits, self.read, self.members = limits, 0, 0

    def over(self, size: int) -> str:
        self.members += 1
        self.read += size
        if self.members > self.limits.max_members:
            return f"member cap reached ({self.limits.max_members} members); rest skipped"
        if self.read > self.limits.max_repo_bytes:
            return f"repository size cap reached ({self.limits.max_repo_bytes} bytes); rest skipped"
        return ""


def _strip_top(path: str, top: str) -> str:
    return path[len(top) + 1 :] if top and path.startswith(top + "/") else path


def iter_tar(path: str, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    """Members of a (gzip) tar read as a stream, with the single top folder stripped."""
    budget = _Budget(limits)
    top: str | None = None
    try:
        with open(path, "rb") as raw, _decompressed(raw) as stream, tarfile.open(
                fileobj=stream, mode="r|", bufsize=1 << 20) as tf:
            for member in tf:
                name, why = safe_name(member.name)
                if top is None:
                    top = name.split("/", 1)[0] if "/" in name or member.isdir() else ""
                rel = _strip_top(name, top)
                if member.isdir() or (not why and not rel):
                    continue
                stop = budget.over(member.size if member.isreg() else 0)
                if stop:
                    yield Entry(rel or member.name, error=stop)
                    return
                yield _tar_entry(tf, member, rel, why, wants, limits)
            while stream.read(1 << 20):  # reach the gzip trailer: detects truncation
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise CorruptArchive(f"{path}: unreadable or truncated tar archive ({exc}); "
                             "download it again") from exc


def _decompressed(raw: IO[bytes]) -> IO[bytes]:
    """A gzip reader (raises EOFError on a truncated stream) or the raw plain tar."""
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    return raw


def _tar_entry(tf: tarfile.TarFile, member: tarfile.TarInfo, rel: str, why: str, wants: Wants,
               limits: ArchiveLimits) -> Entry:
    if why:
        return Entry(member.name, error=why)
    if member.issym() or member.islnk():
        return Entry(rel, error=f"link not followed (-> {member.linkname[:80]})")
    if not member.isreg():
        return Entry(rel, error="device or special file skipped")
    if not wants(rel):
        return Entry(rel)
    if member.size > limits.max_member_bytes:
        return Entry(rel, error=f"member too large ({member.size} bytes)")
    handle = tf.extractfile(member)
    return Entry(rel, handle.read() if handle else b"")


def iter_zip(path: str, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    """Members of a zip (central directory first, members read only when wanted)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptArchive(f"{path}: not a readable zip archive ({exc})") from exc
    with zf:
        infos = zf.infolist()
        tops = {safe_name(i.filename)[0].split("/", 1)[0] for i in infos}
        top = tops.pop() if len(tops) == 1 and all("/" in i.filename for i in infos) else ""
        budget = _Budget(limits)
        for info in infos:
            if info.is_dir():
                continue
            name, why = safe_name(info.filename)
            rel = _strip_top(name, top)
            entry = _zip_entry(zf, info, rel, why, wants, limits, budget)
            yield entry
            if entry.error.endswith("rest skipped"):
                return


def _zip_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, rel: str, why: str, wants: Wants,
               limits: ArchiveLimits, budget: _Budget) -> Entry:
    if why:
        return Entry(info.filename, error=why)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return Entry(rel, error="link not followed")
    if mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
        return Entry(rel, error="device or special file skipped")
    wanted = wants(rel)
    stop = budget.over(min(info.file_size, limits.max_member_bytes + 1) if wanted else 0)
    if stop:
        return Entry(rel, error=stop)
    if not wanted:
        return Entry(rel)
    if info.file_size > limits.max_member_bytes:
        return Entry(rel, error=f"member too large ({info.file_size} bytes)")
    try:
        with zf.open(info) as handle:
            data = _read_capped(handle, limits.max_member_bytes)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
        return Entry(rel, error=f"unreadable member: {exc}")
    if data is None:
        return Entry(rel, error="member larger than it claims (compression bomb?)")
    return Entry(rel, data)


def _read_capped(handle: IO[bytes], cap: int) -> bytes | None:
    data = handle.read(cap + 1)
    return None if len(data) > cap else data


def iter_directory(root: str, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    """Files under a directory; symlinks and special files are reported, never followed."""
    budget = _Budget(limits)
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
