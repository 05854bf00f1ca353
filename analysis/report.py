"""The self-contained HTML report: findings, charts (embedded), tables, method.

Charts are embedded as PNG data URIs, so ``report/index.html`` opens from a
bucket (presigned link) or a laptop with no server and no other file; the SVG
next to each chart in ``charts/`` is linked for print quality.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analysis.charts import MIN_N, Chart

CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}figure{margin:1.5em 0;border-top:1px solid #ddd;padding-top:.8em}
img{max-width:100%;height:auto}figcaption{font-size:.85em;color:#444}
table{border-collapse:collapse;font-size:.8em;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}.note{font-size:.85em;color:#555}"""
SHARE_COLS = ("share", "ci_low", "ci_high", "jaccard", "p_b_given_a")
TABLE_ROWS = 40
TABLE_TEXT = {
    "funnel": "Per venue-year: accepted papers → with a code link → primary link on a supported "
              "host → downloaded → analysed, then failures by reason (primary links).",
    "framework_share": "Share of analysed repositories using each framework family (several "
                       "possible per repository; 'none' = no known framework), 95% Wilson.",
    "pytorch_share": "PyTorch/(PyTorch+TensorFlow): 'share' as published (repositories using "
                     "both count twice); 'share_exclusive' drops them (He 2019).",
    "seed_comparison": "The 2020 ICLR study reproduced: its published figures, its definitions "
                       "applied to our data, and ours, side by side. The study's manual +12 "
                       "TensorFlow offset is part of its published figures only (see note).",
    "tool_totals": "Tools pooled over the selected venue-years.",
    "unique_tools": "Distinct tools and tools per repository.",
    "framework_class": "One exclusive framework class per repository (stacked chart).",
    "by_tier": "By decision tier.",
    "by_domain_pooled": "By research domain (configs/domains.yaml), pooled over venue-years.",
    "by_institution": "By institution (author e-mail domains; a paper counts for each).",
    "co_usage": "Co-usage of the top tools: repositories using both, Jaccard, P(b | a).",
}


def _fmt(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if col in SHARE_COLS or col.endswith(("_share", "_low", "_high", "_exclusive")):
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
        elif out[col].dtype.kind == "f":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    return out


def table_html(name: str, df: pd.DataFrame) -> str:
    """One table section (first ``TABLE_ROWS`` rows; the CSV has all)."""
    shown = df.head(TABLE_ROWS)
    more = (f"<p class='note'>First {TABLE_ROWS} of {len(df)} rows; all rows in "
            f"<code>tables/{name}.csv</code>.</p>" if len(df) > TABLE_ROWS else "")
    body = _fmt(shown).to_html(index=False, escape=True, border=0, na_rep="")
    return (f"<section id='table-{name}'><h3>{html.escape(name)}</h3><p>"
            f"{html.escape(TABLE_TEXT.get(name, ''))}</p>{body}{more}</section>")


def figure_html(chart: Chart) -> str:
    """A ``<figure>`` with the chart's PNG as a data URI and its caption."""
    data = base64.b64encode(chart.png).decode("ascii")
    return (f"<figure id='chart-{chart.name}'><img src='data:image/png;base64,{data}' "
            f"alt='{html.escape(chart.title, quote=True)}' data-chart='{chart.name}'>"
            f"<figcaption><b>{html.escape(chart.title)}.</b> {html.escape(chart.caption)} "
            f"<a href='../charts/{chart.name}.svg'>SVG</a> · "
            f"<a href='../charts/{chart.name}.png'>PNG</a></figcaption></figure>")


def _method_html(method: dict[str, Any], tables: dict[str, pd.DataFrame]) -> str:
    def kv(d: dict[str, Any]) -> str:
        return ", ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in d.items())

    fails = tables["funnel"][tables["funnel"]["stage"].str.startswith("failed:")]
    fail_counts = fails.groupby("stage")["count"].sum().to_dict()
    items = [
        f"Data: crawl datasets at <code>{html.escape(method['source'])}</code>; runs: "
        f"{html.escape(', '.join(method['runs']) or 'none recorded')}.",
        "Snapshot dates (repositories read at the last commit before): "
        f"{kv(method['snapshot_dates'])}.",
        f"Repository snapshots of analysed links: {kv(method['repo_snapshots'])}; commit dates "
        f"from {html.escape(' to '.join(method['commit_dates']) or 'n/a')}.",
        f"Where code links came from: {kv(method['link_sources'])}.",
        f"Failures (primary links): {kv(fail_counts) or 'none'}.",
        "Unit of analysis: the paper's primary code repository, when it was downloaded and "
        "extracted (status ok). Each paper counts once; "
        f"{method['secondary_analysed_excluded']} analysed secondary links were left out.",
        "Shares carry 95% Wilson score intervals. Framework families come from the extractor "
        "(imports, manifests, install lines); a repository can use several.",
        f"Trend points and breakdown bars with fewer than {MIN_N} analysed repositories are not "
        "drawn; a chart with nothing to draw says so instead.",
        "Research domain: one per paper from its primary area, else its keywords "
        "(configs/domains.yaml, first match in file order). Institutions: registrable part "
        "of authors' e-mail domains, where public.",
    ]
    return "<section id='method'><h2>Method</h2><ul>" + "".join(
        f"<li>{i}</li>" for i in items) + "</ul></section>"


def render_report(title: str, findings: Sequence[str], charts: Sequence[Chart],
                  tables: dict[str, pd.DataFrame], method: dict[str, Any]) -> str:
    """The whole page as a string."""
    empty = [c.name for c in charts if c.empty]
    empty_note = (f"<p class='note'>Charts with too little data to draw (shown as a notice): "
                  f"{html.escape(', '.join(empty))}.</p>" if empty else "")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title>",
        f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>",
        "<section id='findings'><h2>Key findings</h2><ul>",
        "".join(f"<li>{html.escape(s)}</li>" for s in findings),
        "</ul></section><section id='charts'><h2>Charts</h2>", empty_note,
        "".join(figure_html(c) for c in charts),
        "</section><section id='tables'><h2>Tables</h2>",
        "".join(table_html(n, tables[n]) for n in TABLE_TEXT if n in tables),
        "</section>", _method_html(method, tables), "</body></html>",
    ]
    return "".join(parts)
