"""Key findings as sentences, computed from the tables (nothing hand-written).

A change over years is called a change only when the 95 % intervals of the
first and last year do not overlap; otherwise the sentence says the
difference is within the uncertainty.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.charts import MIN_N
from analysis.stats import overlap


def pct(x: float) -> str:
    """A share as a rounded percentage (``"n/a"`` for NaN)."""
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def coverage(funnel: pd.DataFrame) -> list[str]:
    totals = funnel.groupby("stage")["count"].sum()
    acc, code = int(totals.get("accepted", 0)), int(totals.get("with_code_link", 0))
    done = int(totals.get("analysed", 0))
    n_vy = funnel[["venue", "year"]].drop_duplicates().shape[0]
    out = [f"Across {n_vy} venue-years, {code} of {acc} accepted papers "
           f"({pct(code / acc if acc else float('nan'))}) linked code, and the primary "
           f"repository of {done} papers ({pct(done / code if code else float('nan'))} of those "
           f"with a link) was analysed."]
    fails = totals[[s for s in totals.index if s.startswith("failed:")]].sort_values(
        ascending=False)
    if len(fails):
        out.append(f"{int(fails.sum())} primary links were not analysed; the most common reason "
                   f"was {fails.index[0][7:]} ({int(fails.iloc[0])}).")
    return out


def latest_frameworks(shares: pd.DataFrame) -> list[str]:
    out = []
    for venue, sub in shares.groupby("venue"):
        sub = sub[sub["analysed"] >= MIN_N]
        if sub.empty:
            continue
        year = int(sub["year"].max())
        row = sub[sub["year"] == year].set_index("framework")
        parts = [f"{label} by {pct(row.at[fw, 'share'])} (95% CI {pct(row.at[fw, 'ci_low'])}–"
                 f"{pct(row.at[fw, 'ci_high'])})" for fw, label in
                 (("pytorch", "PyTorch"), ("tensorflow", "TensorFlow"), ("jax", "JAX"))]
        out.append(f"In {venue} {year} ({int(row['analysed'].iloc[0])} analysed repositories), "
                   f"{parts[0]} was used, {', '.join(parts[1:])}; "
                   f"{pct(row.at['none', 'share'])} used none of the known frameworks.")
    return out


def pytorch_trend(pt: pd.DataFrame) -> list[str]:
    out = []
    for venue, sub in pt.groupby("venue"):
        sub = sub[(sub["pytorch"] + sub["tensorflow"]) >= MIN_N].sort_values("year")
        if len(sub) < 2:
            continue
        a, b = sub.iloc[0], sub.iloc[-1]
        same = overlap(a["ci_low"], a["ci_high"], b["ci_low"], b["ci_high"])
        verdict = ("the 95% intervals overlap, so the difference is within the uncertainty"
                   if same else "the 95% intervals do not overlap")
        out.append(f"At {venue}, PyTorch/(PyTorch+TensorFlow) went from {pct(a['share'])} in "
                   f"{int(a['year'])} to {pct(b['share'])} in {int(b['year'])}; {verdict}.")
    return out


def top_tools(totals: pd.DataFrame, k: int = 5) -> list[str]:
    if totals.empty:
        return []
    items = [f"{r.tool} ({pct(r.share)})" for r in totals.head(k).itertuples()]
    return [f"Pooled over the selected venue-years, the most used tools were {', '.join(items)} "
            f"of {int(totals['analysed'].iloc[0])} analysed repositories."]


def seed_sentence(seed: pd.DataFrame) -> list[str]:
    rows = seed[(seed["metric"] == "pytorch_share_of_pt_tf") & (seed["published"] != "")]
    return [f"For {r.venue} {r.year} the 2020 study reported PyTorch/(PyTorch+TensorFlow) = "
            f"{pct(float(r.published))}; with its definitions our data gives "
            f"{pct(float(r.seed_definition))}, with ours {pct(float(r.ours))}."
            for r in rows.itertuples()]


def findings(tables: dict[str, pd.DataFrame]) -> list[str]:
    """All key-finding sentences, in report order."""
    return (coverage(tables["funnel"]) + latest_frameworks(tables["framework_share"])
            + pytorch_trend(tables["pytorch_share"]) + top_tools(tables["tool_totals"])
            + seed_sentence(tables["seed_comparison"]))


def method(census: Any, in_url: str, runs: list[str]) -> dict[str, Any]:
    """Snapshot dates, link sources, repository snapshots and runs, for the method section."""
    papers, repos = census.papers, census.repos
    snap = papers.groupby(["venue", "year"])["snapshot_date"].agg(
        lambda s: ", ".join(sorted({x for x in s if x})) or "unknown")
    dates = repos.loc[repos["commit_date"].fillna("") != "", "commit_date"]
    return {
        "source": in_url,
        "snapshot_dates": {f"{v} {y}": d for (v, y), d in snap.items()},
        "link_sources": papers["link_source"].replace("", "(none)").value_counts().to_dict(),
        "repo_snapshots": repos.loc[repos["status"] == "ok", "snapshot"].value_counts().to_dict(),
        "commit_dates": [str(dates.min()), str(dates.max())] if len(dates) else [],
        "secondary_analysed_excluded": int(census.secondary_ok),
        "runs": runs,
    }
