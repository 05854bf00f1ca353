"""The real CLI (``crawler.cli.main``) against the loopback services: flag combinations
a user types, their exit codes and messages, and the datasets they leave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from crawl_helpers import services

from crawler.cli import main

ROOT = Path(__file__).resolve().parent.parent
FAST = "retries: 1\nbackoff_base: 0.05\nopenreview_pace: 0\nrequests_per_second: 0\n"


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[Any, Any]]:
    with services() as (orv, gh):
        yield orv, gh


@pytest.fixture()
def user_env(loopback: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch,
             tmp_path: Path) -> tuple[Any, Any]:
    """The environment variables a user sets to point toolcensus at the loopback servers."""
    orv, gh = loopback
    for var, value in (("OPENREVIEW_API_BASEURL", orv.url_v1),
                       ("OPENREVIEW_API_BASEURL_V2", orv.url_v2),
                       ("TOOLCENSUS_GITHUB_API_URL", gh.api_url),
                       ("TOOLCENSUS_GITHUB_ARCHIVE_URL", gh.archive_url),
                       ("TOOLCENSUS_GITLAB_URL", gh.gitlab_url)):
        monkeypatch.setenv(var, value)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fast.yaml").write_text(FAST)
    return orv, gh


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def crawl(out: str, *flags: str) -> list[str]:
    return ["crawl", "iclr2020", "--limit", "2", "--out", out, "--cluster", "none",
            "--config", "fast.yaml", *flags]


def repos(out: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ds.dataset(f"{out}/repos", partitioning="hive").to_table() \
        .to_pylist()
    return rows


def test_snapshot_date_day_is_read_at_end_of_that_day(
        user_env: tuple[Any, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(crawl("out", "--snapshot-date", "2019-01-01"), capsys)
    assert code == 0, err
    rows = repos("out")
    assert rows and {r["status"] for r in rows} == {"ok"}
    assert {r["snapshot"] for r in rows} == {"after-publication"}  # no commit by 2019-01-01


def test_snapshot_date_that_is_not_a_date_is_bad_usage(
        user_env: tuple[Any, Any], capsys: pytest.CaptureFixture[str]) -> None:
    orv, _ = user_env
    before = len(orv.requests)
    code, _, err = run(crawl("out", "--snapshot-date", "yesterday"), capsys)
    assert code == 2
    assert "2020-05-01" in err and "Traceback" not in err
    assert len(orv.requests) == before  # refused before discovery


def test_resume_at_another_snapshot_needs_fresh(
        user_env: tuple[Any, Any], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(crawl("out"), capsys)[0] == 0
    assert {r["snapshot"] for r in repos("out")} == {"publication"}
    code, _, err = run(crawl("out", "--snapshot", "head"), capsys)
    assert code == 2 and "--fresh" in err
    assert {r["snapshot"] for r in repos("out")} == {"publication"}  # left as it was
    assert run(crawl("out", "--snapshot", "head", "--fresh"), capsys)[0] == 0
    assert {r["snapshot"] for r in repos("out")} == {"head"}
    assert run(crawl("out", "--snapshot", "head"), capsys)[0] == 0  # same snapshot: resumes


def test_negative_limit_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["discover", "iclr2020", "--limit", "-1"])
    assert stop.value.code == 2
    assert "0 for no limit" in capsys.readouterr().err


def test_verbose_flag_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["venues", "-v"], capsys)
    assert code == 0 and "iclr2020" in out


def _cli(*argv: str, cwd: Path, close_stdout: bool = False) -> tuple[int, str]:
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None and proc.stderr is not None
    if close_stdout:  # the reader goes away before anything is written: `| head -0`
        proc.stdout.close()
        err = proc.stderr.read()
    else:
        _, err = proc.communicate()
    return proc.wait(timeout=60), err.decode()


def test_no_traceback_when_the_reader_goes_away_or_the_config_is_not_yaml(
        tmp_path: Path) -> None:
    code, err = _cli("venues", cwd=tmp_path, close_stdout=True)
    assert "Traceback" not in err and code == 1
    (tmp_path / "bad.yaml").write_text("out: [unclosed\n")
    code, err = _cli("crawl", "iclr2020", "--config", "bad.yaml", cwd=tmp_path)
    assert "Traceback" not in err and code in (1, 2)
    assert "bad.yaml" in err or "YAML" in err or "-v" in err


@pytest.fixture(scope="module")
def crawled(loopback: tuple[Any, Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small finished crawl (ICLR 2020, two papers), made in-process."""
    from crawl_helpers import settings_for

    from crawler.crawl import crawl as crawl_papers
    from crawler.discover import discover
    from crawler.venues import resolve

    out = str(tmp_path_factory.mktemp("crawled"))
    settings = settings_for(out, *loopback, limit=2)
    crawl_papers(discover(resolve(["iclr2020"]), settings), settings)
    return out


def test_analyze_refuses_an_empty_input_or_filters_that_select_nothing(
        crawled: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["analyze", "--in", str(tmp_path / "typo"), "--out", str(tmp_path)],
                       capsys)
    assert code == 1 and "toolcensus crawl" in err
    code, _, err = run(["analyze", "--in", crawled, "--out", str(tmp_path / "a"),
                        "--venue", "NeurIPS"], capsys)
    assert code == 1 and "ICLR 2020" in err
    code, _, err = run(["analyze", "--in", crawled, "--out", str(tmp_path / "a"),
                        "--years", "2019"], capsys)
    assert code == 1 and "ICLR 2020" in err
    assert not (tmp_path / "a").exists()  # no empty report that looks like a result
    code, _, err = run(["analyze", "--in", crawled, "--years", "2024-2018"], capsys)
    assert code == 2 and "2018-2024" in err


def test_status_and_charts_of_nothing_are_not_success(
        crawled: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["status", crawled], capsys)
    assert code == 0 and "ICLR 2020" in out
    code, _, err = run(["status", str(tmp_path / "typo")], capsys)
    assert code == 1 and "toolcensus crawl" in err
    code, _, err = run(["charts", crawled], capsys)  # crawled, not analysed
    assert code == 1 and "toolcensus analyze" in err
    code, _, err = run(["charts", crawled, "--download", str(tmp_path / "dl")], capsys)
    assert code == 1 and "toolcensus analyze" in err


def test_extract_several_paths_one_object_each_same_keys(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.py").write_text("import torch\n")
    (tmp_path / "bad.tar.gz").write_bytes(b"not an archive")
    paths = [str(repo), str(tmp_path / "missing"), str(tmp_path / "bad.tar.gz")]
    code, out, err = run(["extract", *paths, "--json"], capsys)
    assert code == 2  # a missing path is bad usage
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["path"] for o in objs] == paths
    assert objs[0]["frameworks"] == ["pytorch"]
    assert {len(o["errors"]) for o in objs[1:]} == {1}
    assert len({frozenset(o) for o in objs}) == 1  # every object has the same keys
    assert f"{paths[1]}: {paths[1]}" not in err  # the path is said once
    code, out, _ = run(["extract", paths[2]], capsys)
    assert code == 1 and "frameworks" not in out  # a failure does not look like "no tools"


def test_papers_file_without_dates_warns_that_it_reads_head(
        user_env: tuple[Any, Any], capsys: pytest.CaptureFixture[str]) -> None:
    Path("papers.csv").write_text(
        "venue,year,title,code_url\n"
        "CVPR,2021,Toy Vision,https://github.com/toolcensus-demo/pt-classifier\n"
        "CVPR,2021,Two Links,https://github.com/toolcensus-demo/jax-flax "
        "https://github.com/pytorch/pytorch\n"
        "CVPR,2022,No Code,\n")
    code, _, err = run(["crawl", "--papers", "papers.csv", "--out", "out", "--cluster", "none",
                        "--config", "fast.yaml"], capsys)
    assert code == 0, err
    assert "3 papers of papers.csv have no publication date" in err
    rows = repos("out")
    assert sorted((r["status"], r["snapshot"]) for r in rows) == [
        ("ok", "head"), ("ok", "head"), ("skipped_secondary", "")]
    papers = ds.dataset("out/papers", partitioning="hive").to_table().to_pylist()
    assert len(papers) == 3  # the paper without code too
