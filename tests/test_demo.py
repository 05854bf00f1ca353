"""End to end: the demo path (replay OpenReview → loopback GitHub → Dask → datasets → analysis)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from crawler import storage
from crawler.demo.repos import EXPECTED, EXPECTED_FRAMEWORKS, OWNER
from crawler.demo.run import run_demo


def _table(out: Path, name: str) -> list[dict[str, Any]]:
    table = storage.read_dataset(str(out / name))
    assert isinstance(table, pa.Table), f"{name} dataset missing"
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for name in ("papers", "repos", "tools")
        for p in sorted((out / name).rglob("*.parquet"))
    }


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("demo") / "out"
    assert run_demo(str(out), cluster="local") == 0
    yield out


def test_every_accepted_paper_is_in_papers(demo_out: Path) -> None:
    papers = _table(demo_out, "papers")
    per_year: dict[tuple[str, int], int] = {}
    for p in papers:
        per_year[(p["venue"], p["year"])] = per_year.get((p["venue"], p["year"]), 0) + 1
    assert per_year == {("ICLR", 2020): 9, ("ICLR", 2022): 10, ("ICLR", 2024): 9}
    titles = {p["title"] for p in papers}
    assert "Rejected With Code" not in titles and "Submitted but Rejected" not in titles
    no_link = [p for p in papers if p["title"] == "A Paper Without Code"]
    assert [p["status"] for p in no_link] == ["no_code_link"]


def test_failures_are_recorded_with_reasons(demo_out: Path) -> None:
    repos = _table(demo_out, "repos")
    by_url = {r["url"]: r for r in repos}
    missing = by_url[f"https://github.com/{OWNER}/demo-missing"]
    assert (missing["status"], missing["stage"]) == ("not_found", "fetch")
    assert "404" in missing["error"] or "not found" in missing["error"].lower()
    drive = [r for r in repos if "drive.google.com" in r["url"]]
    assert [r["status"] for r in drive] == ["unsupported_host"]
    assert by_url[f"https://github.com/{OWNER}/r-only"]["status"] == "no_python"
    secondary = [r for r in repos if "someone-else" in r["url"]]
    assert [(r["status"], r["primary"]) for r in secondary] == [("skipped_secondary", False)]
    paper_ids = {p["paper_id"] for p in _table(demo_out, "papers")}
    assert {r["paper_id"] for r in repos} <= paper_ids


def test_known_tools_and_frameworks_per_repository(demo_out: Path) -> None:
    repos = {r["repo"]: r for r in _table(demo_out, "repos") if r["status"] == "ok"}
    assert len(repos) == len(EXPECTED)
    tools: dict[str, set[str]] = {}
    for row in _table(demo_out, "tools"):
        tools.setdefault(row["repo"], set()).add(row["tool"])
    for name, expected in EXPECTED.items():
        repo = f"github.com/{OWNER}/{name}"
        assert repos[repo]["sha"] and repos[repo]["snapshot"] == "publication"
        missing = expected - tools.get(repo, set())
        assert not missing, f"{name}: missing {sorted(missing)}"
    for name, families in EXPECTED_FRAMEWORKS.items():
        assert set(repos[f"github.com/{OWNER}/{name}"]["frameworks"]) == families, name


def test_analysis_outputs_exist(demo_out: Path) -> None:
    for rel in ("tables/funnel.csv", "tables/tool_usage.csv", "tables/framework_share.csv",
                "report/index.html", "summary.json"):
        assert (demo_out / rel).is_file(), rel
    assert list((demo_out / "charts").glob("*.png")) and list((demo_out / "charts").glob("*.svg"))
    assert list((demo_out / "_runs").glob("*.json"))


def test_rerun_leaves_byte_identical_datasets(demo_out: Path) -> None:
    before = _digests(demo_out)
    assert len(before) == 9  # 3 datasets x 3 venue-years
    assert run_demo(str(demo_out), cluster="none") == 0  # resume: nothing to fetch
    assert _digests(demo_out) == before
