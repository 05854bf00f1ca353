"""Reading repository members from a directory, a .tar.gz or a .zip, never extracting.

Each reader yields ``Entry`` values: every regular file's repo-relative path,
its bytes only when ``wants(path)`` says so, or an error for a member that is
skipped (hostile path, link, device, too large, cap reached). Nothing is ever
written to disk, so nothing can land outside a target.
"""

from __future__ import annotations

import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Protocol

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


@dataclass(slots=True)
class _Header:
    name: str
    size: int
    kind: bytes
    linkname: str


_REGULAR = (b"0", b"\0", b"7")


def _octal(field: bytes) -> int:
    if field[:1] and field[0] & 0x80:  # GNU base-256
        return int.from_bytes(field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    return int(text, 8) if text else 0


def _parse_header(block: bytes) -> _Header:
    if _octal(block[148:156]) != sum(block[:148]) + 256 + sum(block[156:512]):
        raise tarfile.ReadError("bad tar header checksum")
    name = block[:100].split(b"\0", 1)[0]
    if block[257:262] == b"ustar" and block[345:346] != b"\0":
        name = block[345:500].split(b"\0", 1)[0] + b"/" + name
    link = block[157:257].split(b"\0", 1)[0]
    return _Header(name.decode("utf-8", "surrogateescape"), _octal(block[124:136]),
                   block[156:157], link.decode("utf-8", "surrogateescape"))


def _pax(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        length = int(data[pos : data.index(b" ", pos)])
        key, _, value = data[data.index(b" ", pos) + 1 : pos + length - 1].partition(b"=")
        out[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


class _TarStream:
    """A minimal sequential tar reader (ustar, pax, GNU long names) over gzip or plain bytes.

    Inflates with ``zlib`` in bounded steps (at most 1 MiB of output per step),
    so a gzip bomb costs time up to the repository cap, never memory.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.inflater = zlib.decompressobj(31) if raw.read(2) == b"\x1f\x8b" else None
        raw.seek(0)
        self.buf = b""
        self.pos = 0

    def _more(self) -> bytes:
        d = self.inflater
        if d is None:
            return self.raw.read(1 << 20)
        while True:
            if d.unconsumed_tail:
                data = d.decompress(d.unconsumed_tail, 1 << 20)
            elif d.eof:
                return b""
            else:
                chunk = self.raw.read(1 << 18)
                if not chunk:
                    raise EOFError("compressed stream ended early (truncated archive)")
                data = d.decompress(chunk, 1 << 20)
            if data:
                return data

    def read(self, n: int) -> bytes:
        while len(self.buf) - self.pos < n:
            more = self._more()
            if not more:
                break
            self.buf = self.buf[self.pos :] + more
            self.pos = 0
        out = self.buf[self.pos : self.pos + n]
        self.pos += len(out)
        return out

    def _read(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise EOFError("unexpected end of tar data (truncated archive)")
        return data

    def skip(self, n: int) -> None:
        have = min(n, len(self.buf) - self.pos)
        self.pos += have
        n -= have
        while n > 0:
            more = self._more()
            if not more:
                raise EOFError("unexpected end of tar data (truncated archive)")
            if len(more) > n:
                self.buf, self.pos = more, n
                return
            n -= len(more)

    def drain(self) -> None:
        """Read to the end of the compressed stream (detects a truncated gzip)."""
        while self._more():
            pass

    def data(self, size: int) -> bytes:
        out = self._read(size)
        self.skip(-size % 512)
        return out

    def headers(self) -> Iterator[_Header]:
        """Headers with pax/GNU extensions applied; the caller consumes or skips each body."""
        extra: dict[str, str] = {}
        while True:
            block = self.read(512)
            if not block.strip(b"\0"):
                return
            if len(block) != 512:
                raise EOFError("unexpected end of tar data (truncated archive)")
            head = _parse_header(block)
            if head.kind in (b"x", b"g", b"L", b"K"):
                body = self.data(head.size) if head.size < (1 << 20) else b""
                if head.kind == b"x":
                    extra.update(_pax(body))
                elif head.kind == b"L":
                    extra["path"] = body.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
                elif head.kind == b"K":
                    extra["linkpath"] = body.split(b"\0", 1)[0].decode("utf-8", "replace")
                continue
            head.name = extra.get("path", head.name)
            head.linkname = extra.get("linkpath", head.linkname)
            head.size = int(extra.get("size", head.size))
            extra = {}
            yield head


def iter_tar(path: str, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    """Members of a (gzip) tar read as a stream, with the single top folder stripped."""
    budget = _Budget(limits)
    top: str | None = None
    try:
        with open(path, "rb") as raw:
            tar = _TarStream(raw)
            for head in tar.headers():
                body = head.size if head.kind in _REGULAR else 0
                name, why = safe_name(head.name)
                if top is None:
                    top = name.split("/", 1)[0] if "/" in name or head.kind == b"5" else ""
                rel = _strip_top(name, top)
                if head.kind == b"5" or (not why and not rel):
                    tar.skip(body + (-body % 512))
                    continue
                stop = budget.over(body)
                if stop:
                    yield Entry(rel or head.name, error=stop)
                    return
                entry = _tar_entry(head, rel, why, wants, limits)
                if entry is None:
                    yield Entry(rel, tar.data(body))
                else:
                    tar.skip(body + (-body % 512))
                    yield entry
            tar.drain()
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
        raise CorruptArchive(f"{path}: unreadable or truncated tar archive ({exc}); "
                             "download it again") from exc


def _tar_entry(head: _Header, rel: str, why: str, wants: Wants,
               limits: ArchiveLimits) -> Entry | None:
    """The entry for a member that is not read, or None when its bytes are wanted."""
    if why:
        return Entry(head.name, error=why)
    if head.kind in (b"1", b"2"):
        return Entry(rel, error=f"link not followed (-> {head.linkname[:80]})")
    if head.kind not in _REGULAR:
        return Entry(rel, error="device or special file skipped")
    if not wants(rel):
        return Entry(rel)
    if head.size > limits.max_member_bytes:
        return Entry(rel, error=f"member too large ({head.size} bytes)")
    return None


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
