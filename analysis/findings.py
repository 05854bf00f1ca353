"""Key findings as sentences, computed from the tables (nothing hand-written).

Every sentence carries its denominator. A change over years is called a change
only when the 95 % intervals of the first and last year do not overlap;
otherwise the sentence says the difference is within the uncertainty. Venue-
years with fewer than ``MIN_N`` analysed repositories are not summarised on
their own, and the sentences say so rather than staying silent.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.charts import MIN_N
from analysis.seed import SEED_TF_OFFSET
from analysis.stats import overlap, wilson


def pct(x: float) -> str:
    """A share as a rounded percentage (``"n/a"`` for NaN)."""
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def ci(low: float, high: float) -> str:
    """``95% CI a–b`` for a Wilson interval."""
    return f"95% CI {pct(low)}–{pct(high)}"


def _ratio(k: int, n: int) -> str:
    return f"{k} of {n}, {pct(k / n) if n else 'n/a'}"


def coverage(funnel: pd.DataFrame) -> list[str]:
    """How many papers linked code and were analysed; failures by reason."""
    totals = funnel.groupby("stage")["count"].sum()
    acc, code = int(totals.get("accepted", 0)), int(totals.get("with_code_link", 0))
    done = int(totals.get("analysed", 0))
    n_vy = funnel[["venue", "year"]].drop_duplicates().shape[0]
    out = [f"Across {n_vy} venue-year(s), {code} of {acc} accepted papers "
           f"({pct(code / acc if acc else float('nan'))}) linked code, and the primary "
           f"repository of {done} papers ({pct(done / code if code else float('nan'))} of those "
           f"with a link) was analysed."]
    fails = totals[[s for s in totals.index if s.startswith("failed:")]]
    fails = fails.sort_index().sort_values(ascending=False, kind="stable")
    if len(fails):
        reasons = ", ".join(f"{s[7:]} {int(v)}" for s, v in fails.items())
        lead = (f"; the most common reason was {fails.index[0][7:]}"
                if len(fails) == 1 or fails.iloc[0] > fails.iloc[1] else "")
        out.append(f"{int(fails.sum())} primary links were not analysed ({reasons}){lead}.")
    pending = int(totals.get("pending", 0))
    if pending:
        out.append(f"{pending} papers with a code link have no repository result yet (the crawl "
                   f"had not finished them); they are outside every share.")
    return out


def pooled_frameworks(shares: pd.DataFrame) -> list[str]:
    """Framework shares pooled over every selected venue-year, with intervals."""
    per_vy = shares.drop_duplicates(["venue", "year"])
    n = int(per_vy["analysed"].sum())
    if n == 0:
        return []
    k = shares.groupby("framework")["repos"].sum()
    parts = []
    for fw, label in (("pytorch", "PyTorch"), ("tensorflow", "TensorFlow"), ("jax", "JAX"),
                      ("none", "no known framework")):
        low, high = wilson(int(k.get(fw, 0)), n)
        parts.append(f"{label} {_ratio(int(k.get(fw, 0)), n)} ({ci(float(low), float(high))})")
    return [f"Pooled over {len(per_vy)} venue-year(s) and {n} analysed repositories: "
            f"{'; '.join(parts)}."]


def latest_frameworks(shares: pd.DataFrame) -> list[str]:
    """Per venue, framework shares of its latest venue-year with at least ``MIN_N`` repos."""
    out = []
    small = []
    for venue, sub in shares.groupby("venue"):
        big = sub[sub["analysed"] >= MIN_N]
        small += [f"{venue} {y} (n={int(a)})" for y, a in sub.loc[sub["analysed"] < MIN_N]
                  .drop_duplicates("year")[["year", "analysed"]].itertuples(index=False)]
        if big.empty:
            continue
        year = int(big["year"].max())
        row = big[big["year"] == year].set_index("framework")
        parts = [f"{label} by {pct(row.at[fw, 'share'])} "
                 f"({ci(row.at[fw, 'ci_low'], row.at[fw, 'ci_high'])})"
                 for fw, label in (("pytorch", "PyTorch"), ("tensorflow", "TensorFlow"),
                                   ("jax", "JAX"))]
        out.append(f"In {venue} {year} ({int(row['analysed'].iloc[0])} analysed repositories), "
                   f"{parts[0]} was used, {', '.join(parts[1:])}; "
                   f"{pct(row.at['none', 'share'])} used none of the known frameworks.")
    if small:
        out.append(f"Venue-years with fewer than {MIN_N} analysed repositories are not summarised "
                   f"on their own (their intervals are too wide to say much): {', '.join(small)}.")
    return out


def pytorch_trend(pt: pd.DataFrame) -> list[str]:
    """First vs last year of PyTorch/(PyTorch+TensorFlow) per venue, if both are big enough."""
    out = []
    for venue, sub in pt.groupby("venue"):
        sub = sub.assign(n=sub["pytorch"] + sub["tensorflow"])
        sub = sub[sub["n"] >= MIN_N].sort_values("year")
        if len(sub) < 2:
            continue
        a, b = sub.iloc[0], sub.iloc[-1]
        same = overlap(a["ci_low"], a["ci_high"], b["ci_low"], b["ci_high"])
        verdict = ("the 95% intervals overlap, so the difference is within the uncertainty"
                   if same else "the 95% intervals do not overlap")
        out.append(f"At {venue}, PyTorch/(PyTorch+TensorFlow) went from {pct(a['share'])} in "
                   f"{int(a['year'])} ({int(a['n'])} uses) to {pct(b['share'])} in "
                   f"{int(b['year'])} ({int(b['n'])} uses); {verdict}.")
    return out


def top_tools(totals: pd.DataFrame, k: int = 5) -> list[str]:
    """The most used tools pooled, with counts, ties and the widest interval."""
    if totals.empty or int(totals["analysed"].iloc[0]) == 0:
        return []
    n = int(totals["analysed"].iloc[0])
    shown = totals.head(k)
    items = ", ".join(f"{r.tool} ({int(r.repos)}, {pct(r.share)})" for r in shown.itertuples())
    last = int(shown["repos"].iloc[-1])
    tied = int((totals["repos"].iloc[k:] == last).sum())
    tie = f"; {tied} more tool(s) are also used by {last}" if tied else ""
    widest = float((shown["ci_high"] - shown["ci_low"]).max())
    return [f"Pooled over the selected venue-years, the most used tools of {n} analysed "
            f"repositories were {items}{tie}. With n = {n}, these shares' 95% intervals are up to "
            f"{100 * widest:.0f} percentage points wide (tables/tool_totals.csv)."]


def seed_sentence(seed: pd.DataFrame) -> list[str]:
    """The 2020 study's published share next to the same share computed on our data."""
    out = []
    rows = seed[seed["published"] != ""].set_index(["venue", "year", "metric"])
    for venue, year in {(v, y) for v, y, _ in rows.index}:
        r = rows.loc[(venue, year)]
        share, pt, tf = r.loc["pytorch_share_of_pt_tf"], r.loc["pytorch"], r.loc["tensorflow"]
        seed_uses = int(pt["seed_definition"]) + int(tf["seed_definition"])
        ours_uses = int(pt["ours"]) + int(tf["ours"])
        pub_pt = int(pt["published"])
        no_offset = pub_pt / (pub_pt + int(tf["published"]) - SEED_TF_OFFSET)
        text = (f"For {venue} {year} the 2020 study reported PyTorch/(PyTorch+TensorFlow) = "
                f"{pct(float(share['published']))} ({int(pt['published'])} of "
                f"{int(pt['published']) + int(tf['published'])} uses in "
                f"{int(r.loc['analysed', 'published'])} repositories; its TensorFlow count "
                f"includes a manual +{SEED_TF_OFFSET} offset, {pct(no_offset)} without it, which "
                f"we do not apply to other data). On our "
                f"{int(r.loc['analysed', 'ours'])} analysed {venue} {year} repositories, its "
                f"definitions give {pct(share['seed_definition'])} "
                f"({int(pt['seed_definition'])} of {seed_uses} uses, "
                f"{ci(share['seed_ci_low'], share['seed_ci_high'])}) and ours "
                f"{pct(share['ours'])} ({int(pt['ours'])} of {ours_uses}, "
                f"{ci(share['ours_ci_low'], share['ours_ci_high'])})")
        if ours_uses < MIN_N:
            text += f"; with fewer than {MIN_N} uses this cannot confirm or contradict the study."
        elif share["ours_ci_low"] <= float(share["published"]) <= share["ours_ci_high"]:
            text += "; the published figure lies inside our 95% interval."
        else:
            text += "; the published figure lies outside our 95% interval."
        out.append(text)
    return sorted(out)


def findings(tables: dict[str, pd.DataFrame]) -> list[str]:
    """All key-finding sentences, in report order."""
    return (coverage(tables["funnel"]) + pooled_frameworks(tables["framework_share"])
            + latest_frameworks(tables["framework_share"])
            + pytorch_trend(tables["pytorch_share"]) + top_tools(tables["tool_totals"])
            + seed_sentence(tables["seed_comparison"]))


def _counts(values: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in values.value_counts().items() if v}


def method(census: Any, in_url: str, runs: list[str]) -> dict[str, Any]:
    """Snapshot dates, link sources, repository snapshots and runs, for the method section."""
    papers, repos = census.papers, census.repos
    snap = papers.groupby(["venue", "year"], observed=True)["snapshot_date"].agg(
        lambda s: ", ".join(sorted({str(x) for x in s if isinstance(x, str) and x})) or "unknown")
    dates = repos.loc[repos["commit_date"].fillna("") != "", "commit_date"]
    return {
        "source": in_url,
        "snapshot_dates": {f"{v} {y}": d for (v, y), d in snap.items()},
        "link_sources": _counts(papers["link_source"].astype(str).replace("", "(none)")),
        "repo_snapshots": _counts(repos.loc[repos["status"] == "ok", "snapshot"].astype(str)),
        "commit_dates": [str(dates.min()), str(dates.max())] if len(dates) else [],
        "secondary_analysed_excluded": int(census.secondary_ok),
        "runs": runs,
    }
