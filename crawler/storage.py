"""The only module that touches storage: fsspec URLs plus ``storage_options``.

Everything the crawler reads or writes is addressed by a URL (``./census``,
``file:///data/out``, ``s3://bucket/prefix``, ``memory://t``). Workers get the
URL and the options, never an open handle. Partitioned Parquet is written with
deterministic names (``<dataset>/venue=V/year=Y/part-0.parquet``) so that a
re-run overwrites instead of duplicating.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

Options = Mapping[str, Any]


_LOCAL = ("file", "local", "memory")


def _fs(url: str, options: Options | None) -> tuple[fsspec.AbstractFileSystem, str]:
    """Filesystem and path for ``url``; options apply to remote stores only."""
    protocol = url.split("://", 1)[0] if "://" in url else "file"
    opts = {} if protocol in _LOCAL else dict(options or {})
    fs, path = url_to_fs(url, **opts)
    return fs, path


def join(base: str, *parts: str) -> str:
    """Join URL parts with ``/``.

    >>> join("s3://b/p/", "repos", "x.json")
    's3://b/p/repos/x.json'
    """
    out = base.rstrip("/")
    for part in parts:
        out += "/" + part.strip("/")
    return out


def write_bytes(url: str, data: bytes, options: Options | None = None) -> None:
    """Write one object whole: a reader never sees it half-written.

    Object stores replace an object atomically on PUT; on a local disk the
    bytes go to a temporary sibling first and are renamed into place.
    """
    fs, path = _fs(url, options)
    parent = path.rsplit("/", 1)[0]
    if parent:
        fs.makedirs(parent, exist_ok=True)
    if not isinstance(fs, LocalFileSystem):
        with fs.open(path, "wb") as fh:
            fh.write(data)
        return
    tmp = f"{path}.tmp-{secrets.token_hex(4)}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_bytes(url: str, options: Options | None = None) -> bytes:
    fs, path = _fs(url, options)
    data: bytes = fs.cat_file(path)
    return data


def exists(url: str, options: Options | None = None) -> bool:
    fs, path = _fs(url, options)
    return bool(fs.exists(path))


def delete(url: str, options: Options | None = None, recursive: bool = False) -> None:
    fs, path = _fs(url, options)
    if fs.exists(path):
        fs.rm(path, recursive=recursive)


def write_json(url: str, obj: Any, options: Options | None = None) -> None:
    data = json.dumps(obj, indent=2, sort_keys=True, default=str).encode("utf-8")
    write_bytes(url, data + b"\n", options)


def read_json(url: str, options: Options | None = None) -> Any:
    return json.loads(read_bytes(url, options))


def list_files(url: str, options: Options | None = None, suffix: str = "") -> list[str]:
    """Full URLs of the files below ``url`` (recursively), sorted; [] if none."""
    fs, path = _fs(url, options)
    fs.invalidate_cache(path)  # a long-lived process must see what other workers wrote
    if not fs.exists(path):
        return []
    return sorted(fs.unstrip_protocol(p) for p in fs.find(path) if p.endswith(suffix))


def read_many(urls: Iterable[str], options: Options | None = None) -> dict[str, bytes]:
    """Read many small objects in one batched call (concurrent on object stores)."""
    urls = list(urls)
    if not urls:
        return {}
    fs, _ = _fs(urls[0], options)
    paths = [_fs(u, options)[1] for u in urls]
    raw = fs.cat(paths, on_error="omit")
    by_path = {paths[i]: urls[i] for i in range(len(urls))}
    return {by_path[p]: v for p, v in raw.items() if p in by_path}


def open_url(url: str, mode: str = "rb", options: Options | None = None) -> Any:
    """An open file object for ``url`` (the caller closes it)."""
    fs, path = _fs(url, options)
    if "w" in mode:
        parent = path.rsplit("/", 1)[0]
        if parent:
            fs.makedirs(parent, exist_ok=True)
    return fs.open(path, mode)


def write_partitioned(
    table: pa.Table,
    base_url: str,
    options: Options | None = None,
    partition_cols: tuple[str, str] = ("venue", "year"),
    sort_by: tuple[str, ...] = (),
) -> list[str]:
    """Write ``table`` as hive partitions with one deterministic file each.

    Partition columns are left out of the files (they live in the path), rows
    are sorted by ``sort_by``, and stale files in a rewritten partition are
    removed, so the same input always leaves the same bytes.
    """
    fs, root = _fs(base_url, options)
    written: list[str] = []
    if table.num_rows == 0:
        return written
    keys = sorted({tuple(r.values()) for r in table.select(list(partition_cols)).to_pylist()})
    for key in keys:
        mask = None
        for col, value in zip(partition_cols, key, strict=True):
            cond = pa.compute.equal(table[col], pa.scalar(value, table.schema.field(col).type))
            mask = cond if mask is None else pa.compute.and_(mask, cond)
        part = table.filter(mask).drop_columns(list(partition_cols))
        if sort_by:
            part = part.sort_by([(c, "ascending") for c in sort_by])
        folder = root + "/" + "/".join(f"{c}={v}" for c, v in zip(partition_cols, key, strict=True))
        fs.makedirs(folder, exist_ok=True)
        target = folder + "/part-0.parquet"
        for stale in fs.find(folder):
            if stale.rstrip("/") != target:
                fs.rm(stale)
        with fs.open(target, "wb") as fh:
            pq.write_table(part, fh, compression="zstd")
        written.append(fs.unstrip_protocol(target))
    return written


def read_dataset(
    base_url: str, options: Options | None = None, columns: list[str] | None = None
) -> pa.Table | None:
    """Read a hive-partitioned dataset; ``venue`` as string and ``year`` as int64.

    Returns ``None`` when the dataset does not exist.
    """
    fs, root = _fs(base_url, options)
    if not fs.exists(root) or not fs.find(root):
        return None
    part = ds.partitioning(pa.schema([("venue", pa.string()), ("year", pa.int64())]), flavor="hive")
    dataset = ds.dataset(root, filesystem=fs, format="parquet", partitioning=part)
    return dataset.to_table(columns=columns)


def sign(url: str, expires: int = 3600, options: Options | None = None) -> str:
    """A link to read ``url`` without credentials: presigned https for object stores.

    Local paths come back as plain paths (nothing to sign).
    """
    fs, path = _fs(url, options)
    protocol = url.split("://", 1)[0] if "://" in url else "file"
    if protocol in _LOCAL:
        return str(path)
    return str(fs.sign(path, expiration=expires))
