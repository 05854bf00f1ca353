"""The analysis entry points the CLI calls: ``analyze`` and ``funnel_table``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis import breakdowns, findings, metrics
from analysis import charts as ch
from analysis import charts_trends as ct
from analysis.load import Census, load_census
from analysis.report import render_report
from analysis.seed import seed_comparison
from crawler import storage

TOP_CO_USAGE = 15  # tools in tables/co_usage.csv
TOP_CO_USAGE_CHART = 12  # 12 × 12 cells stay annotated
TOP_HEATMAP = 20


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


def build_charts(tables: dict[str, pd.DataFrame], analysed: int, source: str) -> list[ch.Chart]:
    """Every chart of the analysis, in report order."""
    heat = tables["tool_by_year"].pivot_table(index="tool", columns="year", values="share",
                                              sort=False)
    n_year = tables["tool_by_year"].groupby("year")["analysed"].first()
    heat.columns = [f"{y}\nn={int(n_year[y])}" for y in heat.columns]
    co = tables["co_usage"].pivot_table(index="tool_a", columns="tool_b", values="p_b_given_a",
                                        sort=False)
    co = co.iloc[:TOP_CO_USAGE_CHART, :TOP_CO_USAGE_CHART]
    tier = breakdowns.pooled(tables["by_tier"], "tier")
    return [
        ch.funnel_chart(tables["funnel"], source),
        ch.top_tools_chart(tables["tool_totals"], analysed, source),
        ch.wordcloud_chart(tables["tool_totals"], analysed, source),
        ct.framework_trends_chart(tables["framework_share"], source),
        ct.pytorch_share_chart(tables["pytorch_share"], source),
        ct.stacked_chart(tables["framework_class"], source),
        ch.heatmap_chart("tool_year_heatmap", heat, "Top tools by year (share of analysed "
                         "repositories, venues pooled)", f"n per year: "
                         f"{', '.join(f'{y}: {int(n)}' for y, n in n_year.items())}. "
                         f"Source: {source}", "year", "tool", "share of analysed repositories"),
        ch.heatmap_chart("co_usage_heatmap", co, f"Co-usage of the top {len(co)} tools: "
                         "P(column | row)", f"n = {analysed} analysed repositories; cell = share "
                         f"of repositories using the row tool that also use the column tool "
                         f"(tables/co_usage.csv has the top {TOP_CO_USAGE}). Source: {source}",
                         "also uses", "repositories using", "P(column | row)"),
        ct.breakdown_chart("by_tier", tier, "tier", "Code links and frameworks by decision tier",
                           source),
        ct.breakdown_chart("by_domain", tables["by_domain_pooled"], "domain",
                           "Code links and frameworks by research domain", source),
        ct.breakdown_chart("by_institution", tables["by_institution"], "institution",
                           "Code links and frameworks by institution (top 15 by papers)", source),
    ]


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
