"""analyze() end to end on the generated crawl: files, charts, report, summary, bucket."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import analysis_data as data
import numpy as np
import pandas as pd
import pytest

from analysis import analyze, download_outputs, list_outputs
from analysis.api import compute_tables
from analysis.charts import heatmap_chart
from analysis.chartset import build_charts
from analysis.layout import LayoutError, add_axes, checking, figure, overflow
from analysis.load import load_census

CHARTS = ("funnel", "top_tools", "wordcloud", "framework_trends", "pytorch_share",
          "framework_stacked", "tool_year_heatmap", "co_usage_heatmap", "by_tier", "by_domain",
          "by_institution")
TABLES = ("funnel", "tool_usage", "framework_share", "pytorch_share", "seed_comparison",
          "unique_tools", "co_usage", "by_tier", "by_domain", "by_institution")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One ``analyze`` run shared by the module; every chart's layout is checked on the way."""
    crawl = tmp_path_factory.mktemp("crawl")
    data.write_dataset(str(crawl))
    out = tmp_path_factory.mktemp("out")
    with checking():  # raises LayoutError if any text is cut off or overlaps other axes
        return out, analyze(str(crawl), str(out))


def test_every_table_is_written_with_the_contract_columns(
        result: tuple[Path, dict[str, Any]]) -> None:
    out, _ = result
    for name in TABLES:
        assert (out / "tables" / f"{name}.csv").stat().st_size > 0, name
    header = (out / "tables" / "framework_share.csv").read_text().splitlines()[0]
    assert header == "venue,year,framework,repos,analysed,share,ci_low,ci_high"
    header = (out / "tables" / "tool_usage.csv").read_text().splitlines()[0]
    assert header.startswith("venue,year,tool,repos,analysed,share")


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_is_a_valid_png_and_svg(result: tuple[Path, dict[str, Any]],
                                            name: str) -> None:
    out, summary = result
    png = (out / "charts" / f"{name}.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 300 and height > 200
    root = ET.fromstring((out / "charts" / f"{name}.svg").read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert str(out / "charts" / f"{name}.png") in summary["charts"]
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Source:" in texts and ("n = " in texts or "n per year" in texts), texts[:300]


def test_report_embeds_every_chart_and_states_findings(
        result: tuple[Path, dict[str, Any]]) -> None:
    out, summary = result
    page = (out / "report" / "index.html").read_text()
    for name in CHARTS:
        assert f"id='chart-{name}'" in page, name
    uris = re.findall(r"src='data:image/png;base64,([^']+)'", page)
    assert len(uris) == len(CHARTS)
    assert all(base64.b64decode(u).startswith(PNG_MAGIC) for u in uris)
    assert "src='http" not in page and "<script" not in page  # self-contained
    assert "61.8%" in page  # the 2020 study, side by side
    assert "+12 offset" in page and "its definitions give 68.4%" in page
    for sentence in summary["findings"]:
        assert html.escape(sentence) in page
    assert "2020-05-01T23:59:59Z" in page  # snapshot dates in the method


def test_summary_json_matches_the_return_value(result: tuple[Path, dict[str, Any]]) -> None:
    out, summary = result
    stored = json.loads((out / "summary.json").read_text())
    assert stored["analysed"] == summary["analysed"] == 125
    assert stored["papers"]["accepted"] == 203
    assert stored["report"] == str(out / "report" / "index.html")
    assert summary["empty_charts"] == []
    assert summary["frameworks"]["pytorch"]["repos"] == 74


def test_too_little_data_gives_charts_that_say_so(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    data.write_dataset(str(crawl))
    with checking():
        summary = analyze(str(crawl), str(tmp_path / "out"), venues=["TMLR"])
    assert summary["analysed"] == 2
    assert {"top_tools", "wordcloud", "framework_trends", "by_domain"} <= set(
        summary["empty_charts"])
    page = (tmp_path / "out" / "report" / "index.html").read_text()
    assert "Charts with too little data to draw" in page
    assert (tmp_path / "out" / "charts" / "wordcloud.png").read_bytes().startswith(PNG_MAGIC)


def test_list_and_download_outputs_locally(result: tuple[Path, dict[str, Any]],
                                           tmp_path: Path) -> None:
    out, _ = result
    listed = dict(list_outputs(str(out)))
    assert set(listed) == {f"charts/{c}.{e}" for c in CHARTS for e in ("png", "svg")} | {
        "report/index.html"}
    assert Path(listed["report/index.html"]).is_file()
    written = download_outputs(str(out), str(tmp_path / "dl"))
    assert len(written) == len(listed)
    assert (tmp_path / "dl" / "report" / "index.html").read_bytes() == (
        out / "report" / "index.html").read_bytes()


def test_layout_check_finds_cut_off_and_overlapping_text() -> None:
    fig, box = figure("Title", "n = 1. Source: test", 4.0, 2.0)
    ax = add_axes(fig, box, left=0.05)  # no room for the tick labels
    ax.set_yticks([0, 1], ["a rather long tick label", "another"])
    assert any("outside the image" in p for p in overflow(fig))
    fig, box = figure("Title", "n = 1. Source: test", 6.0, 2.0)
    add_axes(fig, box, left=1.0, right=3.2).set_yticks([0], ["x"])
    add_axes(fig, box, left=2.9, right=0.2).set_yticks([0], ["a long label over the left axes"])
    assert any("over axes" in p for p in overflow(fig))
    with pytest.raises(LayoutError), checking():
        big = pd.DataFrame([[0.5]], index=["a tool name " * 8], columns=["c" * 200])
        heatmap_chart("x", pd.concat([big, big]), "T", "n = 2. Source: test", "x", "y", "share")


def test_big_heat_maps_are_not_annotated() -> None:
    rng = np.random.default_rng(0)
    def cells(k: int) -> int:
        m = pd.DataFrame(rng.random((k, k)), index=[f"t{i}" for i in range(k)],
                         columns=[f"t{i}" for i in range(k)])
        chart = heatmap_chart("h", m, "T", "n = 9. Source: test", "x", "y", "share")
        return chart.svg.count(b"%</text>") + chart.svg.count(b"%\n</text>")
    assert cells(4) == 16
    assert cells(20) == 0


CHECK = """<script>window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var bad = imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; });
  document.body.setAttribute('data-render-check', imgs.length + ':' + bad.length);
});</script></body>"""


@pytest.mark.slow
def test_report_renders_in_headless_chromium(result: tuple[Path, dict[str, Any]],
                                             tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian package 'chromium' not installed (make test installs it)")
    out, _ = result
    page = (out / "report" / "index.html").read_text().replace("</body>", CHECK)
    probe = tmp_path / "probe.html"
    probe.write_text(page)
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--no-default-browser-check", f"--user-data-dir={tmp_path / 'ud'}",
           "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    match = re.search(r'data-render-check="(\d+):(\d+)"', run.stdout)
    assert match, run.stderr[-2000:]
    assert (int(match.group(1)), int(match.group(2))) == (len(CHARTS), 0)


def test_charts_drawn_in_process_equal_those_analyze_wrote(
        result: tuple[Path, dict[str, Any]]) -> None:
    """Charts drawn in this process, in a forked pool of 2, and by ``analyze`` are the same
    bytes: charts are deterministic wherever they are drawn."""
    out, summary = result
    crawl = summary["method"]["source"]
    census = load_census(crawl)
    tables = compute_tables(census)
    source = f"toolcensus datasets at {crawl}"
    inline = build_charts(tables, len(census.units), source, workers=1)
    pooled = build_charts(tables, len(census.units), source, workers=2)
    assert [c.name for c in inline] == [c.name for c in pooled] == list(CHARTS)
    for chart, other in zip(inline, pooled, strict=True):
        assert (chart.png, chart.svg) == (other.png, other.svg), chart.name
        assert chart.png == (out / "charts" / f"{chart.name}.png").read_bytes(), chart.name
        assert chart.svg == (out / "charts" / f"{chart.name}.svg").read_bytes(), chart.name
