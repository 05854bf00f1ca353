"""Reading results back: list charts and the report (presigned for ``s3://``), download them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

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

    For object stores (``s3://``) the link is a presigned https URL valid
    ``expires`` seconds (:func:`crawler.storage.sign`); for local folders it is
    the file path.
    """
    return [(name, storage.sign(full, expires, storage_options))
            for name, full in _outputs(url, storage_options)]


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
