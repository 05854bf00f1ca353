"""Shared fixtures. Servers are real and on 127.0.0.1; nothing is mocked."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

_LEAKY_PREFIXES = ("AWS_", "FSSPEC_", "OPENREVIEW_", "TOOLCENSUS_", "DASK_")
_LEAKY = ("GITHUB_TOKEN",)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A developer's credentials or endpoints never leak into a test."""
    for name in list(os.environ):
        if name.startswith(_LEAKY_PREFIXES) or name in _LEAKY:
            monkeypatch.delenv(name, raising=False)
    yield
