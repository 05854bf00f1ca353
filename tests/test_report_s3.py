"""Results in a bucket: analyze to s3:// (moto on 127.0.0.1), presigned links, download."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import analysis_data as data
import pytest

from analysis import analyze, download_outputs, list_outputs


@pytest.fixture
def s3() -> Iterator[dict[str, Any]]:
    moto_server = pytest.importorskip("moto.server")
    s3fs = pytest.importorskip("s3fs")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {"key": "x", "secret": "y", "endpoint_url": f"http://{host}:{port}"}
    s3fs.S3FileSystem.clear_instance_cache()
    s3fs.S3FileSystem(**options).mkdir("census")
    yield options
    s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


@pytest.mark.slow
def test_analyze_into_a_bucket_and_read_back(s3: dict[str, Any], tmp_path: Path) -> None:
    data.write_dataset("s3://census/crawl", s3)
    summary = analyze("s3://census/crawl", "s3://census/out", s3, venues=["ICLR"], years=[2020])
    assert summary["report"] == "s3://census/out/report/index.html"
    assert summary["venue_years"] == ["ICLR 2020"]
    links = dict(list_outputs("s3://census/out", s3, expires=600))
    assert "report/index.html" in links and "charts/funnel.svg" in links
    url = links["report/index.html"]
    assert url.startswith("http") and "Signature" in url and "Expires" in url
    with urllib.request.urlopen(url, timeout=10) as resp:  # presigned GET, no credentials
        assert b"id='chart-funnel'" in resp.read()
    written = download_outputs("s3://census/out", str(tmp_path), s3)
    assert (tmp_path / "charts" / "wordcloud.png").is_file() and len(written) == len(links)
