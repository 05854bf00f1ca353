"""A real S3 protocol server on loopback for tests: moto's ``ThreadedMotoServer``.

Import the fixtures into a test module with
``from s3_server import s3, s3_endpoint  # noqa: F401``. ``s3_endpoint`` is one
server per session (port 0, no race); ``s3`` resets its state before each
test and creates the bucket ``census``.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

BUCKET = "census"
KEY, SECRET = "testing-key", "testing-secret"


@dataclass(frozen=True)
class S3:
    """Where the test bucket is and how to reach it."""

    endpoint: str
    bucket: str = BUCKET

    @property
    def options(self) -> dict[str, Any]:
        """Explicit storage options (what ``Settings.storage_options`` carries to workers)."""
        return {"endpoint_url": self.endpoint, "key": KEY, "secret": SECRET}

    @property
    def env(self) -> dict[str, str]:
        """The standard variables a user would export for an S3-compatible store."""
        return {"AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_ACCESS_KEY_ID": KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": "us-east-1"}

    def url(self, *parts: str) -> str:
        return "/".join([f"s3://{self.bucket}", *parts])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str) -> Iterator[S3]:
    import s3fs

    req = urllib.request.Request(f"{s3_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(req, timeout=10).close()
    s3fs.S3FileSystem.clear_instance_cache()
    store = S3(s3_endpoint)
    fs = s3fs.S3FileSystem(**{**store.options, "skip_instance_cache": True})
    fs.mkdir(BUCKET)
    yield store
    s3fs.S3FileSystem.clear_instance_cache()
