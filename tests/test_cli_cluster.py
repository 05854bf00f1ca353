"""CLI checks of --cluster, --detach and --cancel that fail fast, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_helpers import VENUES, services

from crawler.cli import main

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_missing_extra_fails_before_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with services() as (orv, gh):
        monkeypatch.setenv("OPENREVIEW_API_BASEURL", orv.url_v1)
        monkeypatch.setenv("OPENREVIEW_API_BASEURL_V2", orv.url_v2)
        code, err = _run(["crawl", *VENUES, "--out", str(tmp_path),
                          "--cluster", str(CONFIGS / "cluster-slurm.yaml")], capsys)
        assert orv.requests == []  # nothing was discovered
    assert code == 2
    assert "pip install 'toolcensus[jobqueue]'" in err


def test_detach_needs_a_running_scheduler(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["crawl", "iclr2020", "--out", str(tmp_path), "--cluster", "local",
                      "--detach"], capsys)
    assert code == 2 and "tcp://" in err


def test_cancel_needs_a_scheduler_address(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["crawl", "--cancel", "20260101T000000Z-abcdef", "--out", str(tmp_path),
                      "--cluster", "none"], capsys)
    assert code == 2 and "--cluster tcp://" in err


def test_unknown_cluster_kind_is_bad_usage(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["crawl", "iclr2020", "--out", str(tmp_path), "--cluster", "yarn"], capsys)
    assert code == 2 and "not understood" in err
