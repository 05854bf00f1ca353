"""The charts of one analysis: which to draw, in what order, and on how many processes.

Each chart is independent and costs 0.1–0.7 s of CPU (matplotlib draws every
figure twice, PNG and SVG). On a machine with two or more free cores the
charts are drawn by a small pool of forked worker processes, which inherit
the imported modules, so no worker pays for importing matplotlib and pandas
again; the tables go to them by pickle (they are small aggregates at any
crawl size) and PNG/SVG bytes come back. ``TOOLCENSUS_CHART_WORKERS=1`` (or
``workers=1``) draws them in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pandas as pd

from analysis import breakdowns
from analysis import charts as ch
from analysis import charts_trends as ct
from analysis.layout import Chart, checking, is_checking

TOP_CO_USAGE = 15  # tools in tables/co_usage.csv
TOP_CO_USAGE_CHART = 12  # 12 × 12 cells stay annotated
TOP_HEATMAP = 20
Job = tuple[Callable[..., Chart], tuple[Any, ...]]


def chart_jobs(tables: dict[str, pd.DataFrame], analysed: int, source: str) -> list[Job]:
    """(chart function, arguments) of every chart, in report order."""
    by_year = tables["tool_by_year"]
    heat = by_year.pivot_table(index="tool", columns="year", values="share", sort=False)
    n_year = by_year.groupby("year")["analysed"].first()
    heat.columns = [f"{y}\nn={int(n_year[y])}" for y in heat.columns]
    co = tables["co_usage"].pivot_table(index="tool_a", columns="tool_b", values="p_b_given_a",
                                        sort=False)
    co = co.iloc[:TOP_CO_USAGE_CHART, :TOP_CO_USAGE_CHART]
    per_year = ", ".join(f"{y}: {int(n)}" for y, n in n_year.items())
    return [
        (ch.funnel_chart, (tables["funnel"], source)),
        (ch.top_tools_chart, (tables["tool_totals"], analysed, source)),
        (ch.wordcloud_chart, (tables["tool_totals"], analysed, source)),
        (ct.framework_trends_chart, (tables["framework_share"], source)),
        (ct.pytorch_share_chart, (tables["pytorch_share"], source)),
        (ct.stacked_chart, (tables["framework_class"], source)),
        (ch.heatmap_chart, ("tool_year_heatmap", heat, "Top tools by year (share of analysed "
                            "repositories, venues pooled)", f"n per year: {per_year}. Source: "
                            f"{source}", "year", "tool", "share of analysed repositories")),
        (ch.heatmap_chart, ("co_usage_heatmap", co, f"Co-usage of the top {len(co)} tools: "
                            "P(column | row)", f"n = {analysed} analysed repositories; cell = "
                            f"share of repositories using the row tool that also use the column "
                            f"tool (tables/co_usage.csv has the top {TOP_CO_USAGE}). Source: "
                            f"{source}", "also uses", "repositories using", "P(column | row)")),
        (ct.breakdown_chart, ("by_tier", breakdowns.pooled(tables["by_tier"], "tier"), "tier",
                              "Code links and frameworks by decision tier", source)),
        (ct.breakdown_chart, ("by_domain", tables["by_domain_pooled"], "domain",
                              "Code links and frameworks by research domain", source)),
        (ct.breakdown_chart, ("by_institution", tables["by_institution"], "institution",
                              "Code links and frameworks by institution (top 15 by papers)",
                              source)),
    ]


def _draw(job: Job, check: bool) -> Chart:
    func, args = job
    if not check:
        return func(*args)
    with checking():
        return func(*args)


def default_workers() -> int:
    """Chart processes: ``TOOLCENSUS_CHART_WORKERS``, else 2 when two cores are ours."""
    env = os.environ.get("TOOLCENSUS_CHART_WORKERS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 if (cores or 1) >= 2 else 1


def build_charts(tables: dict[str, pd.DataFrame], analysed: int, source: str,
                 workers: int | None = None) -> list[Chart]:
    """Every chart of the analysis, in report order (drawn on ``workers`` processes)."""
    jobs = chart_jobs(tables, analysed, source)
    if workers is None:
        # Forking a process that runs other threads (a Dask client or worker, a server)
        # can copy a lock another thread holds: automatic mode draws in-process then.
        workers = default_workers() if threading.active_count() == 1 else 1
    check = is_checking()
    # Frozen, the heap built so far (tables, census) is not rescanned by every collection
    # during drawing, and forked workers do not copy its pages by touching them.
    gc.freeze()
    try:
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return [_draw(job, check) for job in jobs]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context) as pool:
            futures = [pool.submit(_draw, job, check) for job in jobs]
            return [f.result() for f in futures]
    finally:
        gc.unfreeze()
