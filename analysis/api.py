"""The analysis entry points the CLI calls: ``analyze`` and ``funnel_table``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis import breakdowns, findings, metrics
from analysis.chartset import TOP_CO_USAGE, TOP_HEATMAP, build_charts
from analysis.load import Census, load_census
from analysis.report import render_report
from analysis.seed import seed_comparison
from crawler import storage


def funnel_table(in_url: str, storage_options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``venue, year, stage, count`` of a crawl (empty frame when there are no datasets).

    Example:
        >>> funnel_table("/nonexistent").empty
        True
    """
    census = load_census(in_url, storage_options, with_tools=False)
    return metrics.funnel(census)


def compute_tables(census: Census) -> dict[str, pd.DataFrame]:
    """Every table of the analysis, by file stem."""
    funnel = metrics.funnel(census)
    usage = metrics.tool_usage(census)
    totals = metrics.tool_totals(usage, census)
    top = totals["tool"].tolist()
    domains = breakdowns.by_domain(census)
    return {
        "funnel": funnel, "tool_usage": usage, "tool_totals": totals,
        "unique_tools": metrics.unique_tools(census),
        "framework_share": metrics.framework_share(census),
        "framework_class": metrics.framework_classes(census),
        "pytorch_share": metrics.pytorch_share(census),
        "tool_by_year": metrics.tool_by_year(usage, census, top[:TOP_HEATMAP]),
        "co_usage": metrics.co_usage(census, top[:TOP_CO_USAGE]),
        "by_tier": breakdowns.by_tier(census),
        "by_domain": domains,
        "by_domain_pooled": breakdowns.pooled(domains, "domain"),
        "by_institution": breakdowns.by_institution(census),
        "seed_comparison": seed_comparison(census, funnel),
    }


def analyze(
    in_url: str,
    out_url: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
    venues: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Aggregate the datasets at ``in_url`` into tables, charts, a report and a summary.

    Writes ``tables/*.csv``, ``charts/*.png`` + ``*.svg``, ``report/index.html`` and
    ``summary.json`` under ``out_url`` (default ``in_url``); returns the summary.

    Example:
        >>> summary = analyze("./census", venues=["ICLR"], years=[2020])  # doctest: +SKIP
    """
    out = out_url or in_url
    census = load_census(in_url, storage_options, venues, years)
    tables = compute_tables(census)
    source = f"toolcensus datasets at {in_url}"
    charts = build_charts(tables, len(census.units), source)
    for name, df in tables.items():
        storage.write_bytes(storage.join(out, "tables", f"{name}.csv"),
                            df.to_csv(index=False).encode("utf-8"), storage_options)
    chart_urls = []
    for chart in charts:
        for ext, data in (("png", chart.png), ("svg", chart.svg)):
            url = storage.join(out, "charts", f"{chart.name}.{ext}")
            storage.write_bytes(url, data, storage_options)
            chart_urls.append(url)
    runs = [u.rsplit("/", 1)[-1] for u in
            storage.list_files(storage.join(in_url, "_runs"), storage_options, suffix=".json")]
    sentences = findings.findings(tables)
    method = findings.method(census, in_url, runs)
    page = render_report("toolcensus: tools used by ML research code", sentences, charts,
                         tables, method)
    report_url = storage.join(out, "report", "index.html")
    storage.write_bytes(report_url, page.encode("utf-8"), storage_options)
    summary = headline(tables, census, sentences, method)
    summary.update(charts=chart_urls, report=report_url,
                   tables=[storage.join(out, "tables", f"{n}.csv") for n in tables],
                   empty_charts=[c.name for c in charts if c.empty],
                   filters={"venues": list(venues or []), "years": list(years or [])})
    storage.write_json(storage.join(out, "summary.json"), summary, storage_options)
    return summary


def headline(tables: dict[str, pd.DataFrame], census: Census, sentences: list[str],
             method: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of ``summary.json``."""
    totals = tables["funnel"].groupby("stage")["count"].sum()
    pooled = tables["framework_share"].groupby("framework")[["repos"]].sum()
    n = len(census.units)
    pt = tables["pytorch_share"]
    return {
        "venue_years": [f"{v} {y}" for v, y in
                        tables["funnel"][["venue", "year"]].drop_duplicates().itertuples(
                            index=False)],
        "papers": {k: int(v) for k, v in totals.items()},
        "analysed": n,
        "frameworks": {f: {"repos": int(r), "share": r / n if n else None}
                       for f, r in pooled["repos"].items()},
        "pytorch_share": pt[["venue", "year", "pytorch", "tensorflow", "share", "ci_low",
                             "ci_high"]].to_dict(orient="records"),
        "top_tools": tables["tool_totals"].head(20)[["tool", "repos", "share"]].to_dict(
            orient="records"),
        "findings": sentences,
        "method": method,
    }
