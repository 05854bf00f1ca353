"""Members of a (gzip) tar read as one stream: a minimal ustar/pax/GNU reader over zlib.

``tarfile`` in stream mode copies its buffer on every 512-byte read and builds a
``TarInfo`` per member; here the compressed file is read in 256 KiB pieces and
inflated by ``zlib`` in steps of at most 1 MiB of output (so a gzip bomb costs
time up to the caps, never memory). Headers are sliced out of the current chunk;
the body of a member that is not wanted is skipped by moving an offset (whole
chunks are inflated and dropped), so an irrelevant member costs one header parse
and no copy of its bytes. The gzip CRC-32 and length are checked at the end of
the stream, so header checksums are verified only where nothing else protects
the bytes: the first header, non-ustar headers and uncompressed tars.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import IO

from crawler.archive import ArchiveLimits, Entry, Wants, member_cap, safe_name, size_cap, strip_top
from crawler.errors import CorruptArchive

IN_CHUNK = 1 << 18  # compressed bytes read per step
OUT_CHUNK = 1 << 20  # most decompressed bytes produced per step
_META = frozenset({b"x", b"g", b"L", b"K"})  # pax and GNU long-name records
_NO_BODY = frozenset({b"1", b"2", b"3", b"4", b"5", b"6"})  # links, devices, dirs, FIFOs
_REGULAR = frozenset({b"0", b"\0", b"7"})
_TRUNCATED = "unexpected end of tar data (truncated archive)"


class BadTar(ValueError):
    """A header that is not a tar header."""


def inflated_chunks(raw: IO[bytes]) -> Iterator[bytes]:
    """Decompressed bytes of a gzip stream (plain bytes without the gzip magic), ≤ 1 MiB each.

    Raises ``EOFError`` when the gzip stream ends early and ``zlib.error`` on
    corrupt data or a CRC mismatch. This loop alone is the benchmark's floor.
    """
    gz = raw.read(2) == b"\x1f\x8b"
    raw.seek(0)
    if not gz:
        while chunk := raw.read(OUT_CHUNK):
            yield chunk
        return
    inflater = zlib.decompressobj(31)
    decompress = inflater.decompress
    while not inflater.eof:
        data = inflater.unconsumed_tail or raw.read(IN_CHUNK)
        if not data:
            raise EOFError("compressed stream ended early (truncated archive)")
        out = decompress(data, OUT_CHUNK)
        if out:
            yield out


class _Cursor:
    """A read position over a stream of chunks: take bytes, or skip them without copying."""

    __slots__ = ("buf", "pos", "chunks")

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.buf, self.pos, self.chunks = b"", 0, chunks

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes (fewer only at the end of the stream)."""
        pos, end = self.pos, self.pos + n
        if end <= len(self.buf):
            self.pos = end
            return self.buf[pos:end]
        parts, have = [self.buf[pos:]], len(self.buf) - pos
        while have < n:
            chunk = next(self.chunks, b"")
            if not chunk:
                self.buf, self.pos = b"", 0
                return b"".join(parts)
            parts.append(chunk)
            have += len(chunk)
        last = parts[-1]
        keep = len(last) - (have - n)
        parts[-1] = last[:keep]
        self.buf, self.pos = last, keep
        return b"".join(parts)

    def skip(self, n: int) -> None:
        """Move ``n`` bytes on; inflated chunks in between are dropped, never joined."""
        pos = self.pos + n
        while pos > len(self.buf):
            pos -= len(self.buf)
            self.buf = next(self.chunks, b"")
            if not self.buf:
                raise EOFError(_TRUNCATED)
        self.pos = pos

    def drain(self) -> None:
        """Inflate to the end of the stream (detects truncation, checks the gzip CRC)."""
        for _ in self.chunks:
            pass


def _octal(field: bytes) -> int:
    if field[0] & 0x80:  # GNU base-256
        return int.from_bytes(field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    return int(text, 8) if text else 0


def _header(block: bytes, verify: bool) -> tuple[bytes, int, bytes]:
    """(name, size, type flag) of a 512-byte header block."""
    if (verify or block[257:262] != b"ustar") and (
            _octal(block[148:156]) != sum(block) - sum(block[148:156]) + 256):
        raise BadTar("bad tar header checksum")
    cut = block.find(b"\0", 0, 100)
    name = block[: cut if cut != -1 else 100]
    if block[345] and block[257:263] == b"ustar\0":
        name = block[345:500].split(b"\0", 1)[0] + b"/" + name
    try:  # the usual field: 11 octal digits and a NUL or space
        size = int(block[124:135], 8) if block[135] in (0, 32) else _octal(block[124:136])
    except ValueError:
        size = _octal(block[124:136])
    return name, size, block[156:157]


def _link(block: bytes) -> bytes:
    return block[157:257].split(b"\0", 1)[0]


def _pax(data: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        length = int(data[pos:space])
        key, _, value = data[space + 1 : pos + length - 1].partition(b"=")
        out[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


def _meta(cur: _Cursor, kind: bytes, size: int, extra: dict[str, str]) -> None:
    """Apply a pax (``x``) or GNU long-name (``L``/``K``) record; pax globals are ignored."""
    if size >= OUT_CHUNK:
        cur.skip(size + (-size % 512))
        return
    body = cur.take(size + (-size % 512))[:size]
    if len(body) != size:
        raise EOFError(_TRUNCATED)
    if kind == b"x":
        extra.update(_pax(body))
    elif kind == b"L":
        extra["path"] = body.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
    elif kind == b"K":
        extra["linkpath"] = body.split(b"\0", 1)[0].decode("utf-8", "replace")


def _normal(name: str) -> tuple[str, str]:
    """``safe_name`` with a fast path for names that normalisation cannot change."""
    if (name[:1] in "./\\" or "/." in name or "//" in name or "\\" in name
            or name[1:2] == ":" or name.endswith("/")):
        return safe_name(name)
    return name, ""


def iter_tar(path: str, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    """Members of a (gzip) tar read as a stream, with the single top folder stripped."""
    try:
        with open(path, "rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            yield from _members(_Cursor(inflated_chunks(raw)), gz, wants, limits)
    except (EOFError, zlib.error, OSError, ValueError) as exc:
        raise CorruptArchive(f"{path}: unreadable or truncated tar archive ({exc}); "
                             "download it again") from exc


def _members(cur: _Cursor, gz: bool, wants: Wants, limits: ArchiveLimits) -> Iterator[Entry]:
    max_members, max_bytes, max_member = limits.max_members, limits.max_repo_bytes, \
        limits.max_member_bytes
    members = total = headers = 0
    top: str | None = None
    extra: dict[str, str] = {}
    while True:
        block = cur.take(512)
        if not block or (not block[0] and not block.strip(b"\0")):
            cur.drain()
            return
        if len(block) != 512:
            raise EOFError(_TRUNCATED)
        headers += 1
        if headers > 2 * max_members + 64:  # a flood of directory or pax headers
            yield Entry("", error=member_cap(limits))
            return
        raw_name, size, kind = _header(block, headers == 1 or not gz)
        if kind in _META:
            _meta(cur, kind, size, extra)
            continue
        if extra:
            name = extra.get("path") or raw_name.decode("utf-8", "surrogateescape")
            size = int(extra.get("size", size))
            link = extra.get("linkpath", "")
            extra = {}
        else:
            name = raw_name.decode("utf-8", "surrogateescape")
            link = ""
        body = 0 if kind in _NO_BODY else size
        if kind == b"5" and top is not None:  # a folder: nothing to read or report
            cur.skip(body + (-body % 512))
            continue
        norm, why = _normal(name)
        if top is None:
            top = norm.split("/", 1)[0] if "/" in norm or kind == b"5" else ""
        rel = strip_top(norm, top)
        if kind == b"5" or (not why and not rel):
            cur.skip(body + (-body % 512))
            continue
        members += 1
        total += body
        if members > max_members or total > max_bytes:
            stop = member_cap(limits) if members > max_members else size_cap(limits)
            yield Entry(rel or name, error=stop)
            return
        if why:
            entry = Entry(name, error=why)
        elif kind not in _REGULAR:
            link = link or _link(block).decode("utf-8", "replace")
            entry = Entry(rel, error=f"link not followed (-> {link[:80]})" if kind in b"12"
                          else "device or special file skipped")
        elif not wants(rel):
            entry = Entry(rel)
        elif size > max_member:
            entry = Entry(rel, error=f"member too large ({size} bytes)")
        else:
            data = cur.take(size)
            if len(data) != size:
                raise EOFError(_TRUNCATED)
            cur.skip(-size % 512)
            yield Entry(rel, data)
            continue
        cur.skip(body + (-body % 512))
        yield entry
