"""Members of a ``.zip`` archive: central directory first, member bytes read only when wanted."""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from crawler.archive import ArchiveLimits, Budget, Entry, Wants, safe_name, strip_top
from crawler.errors import CorruptArchive


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
        budget = Budget(limits)
        for info in infos:
            if info.is_dir():
                continue
            name, why = safe_name(info.filename)
            rel = strip_top(name, top)
            entry = _zip_entry(zf, info, rel, why, wants, limits, budget)
            yield entry
            if entry.error.endswith("rest skipped"):
                return


def _zip_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, rel: str, why: str, wants: Wants,
               limits: ArchiveLimits, budget: Budget) -> Entry:
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
