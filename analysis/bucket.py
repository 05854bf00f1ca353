"""Reading results back: list charts and the report (presigned for ``s3://``), download them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from fsspec.core import url_to_fs

from crawler import storage

OUTPUT_DIRS = ("charts", "report")
SUFFIXES = (".png", ".svg", ".html")


def _outputs(url: str, options: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(relative name, full URL) of every chart and report file under ``url``."""
    found = []
    for folder in OUTPUT_DIRS:
        base = storage.join(url, folder)
        for full in storage.list_files(base, options):
            if full.endswith(SUFFIXES):
                found.append((folder + "/" + full.rsplit(f"/{folder}/", 1)[-1], full))
    return sorted(found)


def list_outputs(url: str, storage_options: Mapping[str, Any] | None = None,
                 expires: int = 3600) -> list[tuple[str, str]]:
    """(relative name, link) for every chart and the report under ``url``.

    For ``s3://`` the link is a presigned https URL valid ``expires`` seconds;
    for local folders it is the file path.
    """
    out = []
    for name, full in _outputs(url, storage_options):
        if full.startswith("s3://"):
            # presigning is a storage-side operation with no storage.py helper yet
            fs, path = url_to_fs(full, **dict(storage_options or {}))
            out.append((name, str(fs.sign(path, expiration=expires))))
        else:
            out.append((name, full[7:] if full.startswith("file://") else full))
    return out


def download_outputs(url: str, dest_dir: str,
                     storage_options: Mapping[str, Any] | None = None) -> list[str]:
    """Copy every chart and the report under ``url`` into ``dest_dir``; local paths written."""
    pairs = _outputs(url, storage_options)
    data = storage.read_many([full for _, full in pairs], storage_options)
    written = []
    for name, full in pairs:
        target = os.path.join(dest_dir, *name.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data[full])
        written.append(target)
    return written
