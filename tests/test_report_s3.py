"""Results in a bucket: analyze to s3:// (moto on 127.0.0.1), presigned links, download."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import analysis_data as data
import pytest
from s3_server import S3, s3, s3_endpoint  # noqa: F401  (fixtures: one moto server, reset per test)

from analysis import analyze, download_outputs, list_outputs


@pytest.mark.slow
def test_analyze_into_a_bucket_and_read_back(s3: S3, tmp_path: Path) -> None:  # noqa: F811
    opts = s3.options
    crawl, out = s3.url("crawl"), s3.url("out")
    data.write_dataset(crawl, opts)
    summary = analyze(crawl, out, opts, venues=["ICLR"], years=[2020])
    assert summary["report"] == f"{out}/report/index.html"
    assert summary["venue_years"] == ["ICLR 2020"]
    links = dict(list_outputs(out, opts, expires=600))
    assert "report/index.html" in links and "charts/funnel.svg" in links
    url = links["report/index.html"]
    assert url.startswith("http") and "Signature" in url and "Expires" in url
    with urllib.request.urlopen(url, timeout=10) as resp:  # presigned GET, no credentials
        assert b"id='chart-funnel'" in resp.read()
    written = download_outputs(out, str(tmp_path), opts)
    assert (tmp_path / "charts" / "wordcloud.png").is_file() and len(written) == len(links)
