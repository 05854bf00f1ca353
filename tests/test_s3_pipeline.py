"""The whole path on an S3-compatible store (moto on loopback), configured the standard
way (``AWS_ENDPOINT_URL_S3`` + keys): crawl → status → analyze → charts (links, download)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from crawl_helpers import VENUES, services
from s3_server import S3, s3, s3_endpoint  # noqa: F401

from crawler import storage
from crawler.cli import main


@pytest.fixture
def s3_env(s3: S3, monkeypatch: pytest.MonkeyPatch) -> S3:  # noqa: F811
    for name, value in s3.env.items():
        monkeypatch.setenv(name, value)
    return s3


def test_crawl_analyze_charts_on_s3(s3_env: S3, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = s3_env.url("e2e", "census")
    cfg = tmp_path / "run.yaml"
    cfg.write_text("openreview_pace: 0\nrequests_per_second: 0\nretries: 1\n"
                   "backoff_base: 0.05\nmax_retry_wait: 2\n")
    with services() as (orv, gh):
        for name, value in {"OPENREVIEW_API_BASEURL": orv.url_v1,
                            "OPENREVIEW_API_BASEURL_V2": orv.url_v2,
                            "TOOLCENSUS_GITHUB_API_URL": gh.api_url,
                            "TOOLCENSUS_GITHUB_ARCHIVE_URL": gh.archive_url,
                            "TOOLCENSUS_GITLAB_URL": gh.gitlab_url}.items():
            monkeypatch.setenv(name, value)
        assert main(["crawl", *VENUES, "--cluster", "none", "--out", out,
                     "--config", str(cfg)]) == 0
    crawled = capsys.readouterr()
    assert "ICLR 2020" in crawled.out and "accepted" in crawled.out
    opts = s3_env.options
    for name in ("papers", "repos", "tools"):
        table = storage.read_dataset(storage.join(out, name), opts)
        assert table is not None and table.num_rows > 0, name

    assert main(["status", out]) == 0
    status = capsys.readouterr().out
    assert "finished" in status and "ICLR 2020" in status

    assert main(["analyze", "--in", out]) == 0
    capsys.readouterr()
    for name in ("tables/funnel.csv", "tables/tool_usage.csv", "report/index.html",
                 "summary.json"):
        assert storage.exists(storage.join(out, name), opts), name

    assert main(["charts", out]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    links = dict(listed)
    assert "report/index.html" in links and any(n.endswith(".png") for n in links)
    png = next(link for n, link in links.items() if n.endswith(".png"))
    assert png.startswith(s3_env.endpoint) and "Signature" in png  # presigned on the endpoint
    with urllib.request.urlopen(png, timeout=30) as answer:  # works with no credentials
        assert answer.read(8) == b"\x89PNG\r\n\x1a\n"

    assert main(["charts", out, "--download", str(tmp_path / "dl")]) == 0
    assert (tmp_path / "dl" / "report" / "index.html").read_text().startswith("<!")
