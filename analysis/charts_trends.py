"""Charts over years and groups: framework trends, stacked shares, breakdowns.

Points of a trend with fewer than ``MIN_N`` analysed repositories are not
drawn (the caption says how many were left out); a venue with fewer than two
drawable years gets a panel that says so.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.charts import FRAMEWORK_STYLE, MIN_N, OKABE_ITO, Chart, render, too_little
from analysis.metrics import CLASSES

TREND_FAMILIES = ("pytorch", "tensorflow", "keras", "jax")
SEED_MARK = ("ICLR", 2020, 154 / 249)


def _venue_axes(venues: list[str]) -> tuple[Figure, list[Axes]]:
    cols = min(3, len(venues))
    rows = -(-len(venues) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows + 0.6), squeeze=False,
                             sharey=True)
    flat = list(axes.ravel())
    for ax in flat[len(venues):]:
        ax.set_axis_off()
    return fig, flat[: len(venues)]


def _band(ax: Axes, df: pd.DataFrame, label: str, style: tuple[str, str, str]) -> None:
    colour, line, marker = style
    ax.plot(df["year"], df["share"], line, marker=marker, color=colour, label=label)
    ax.fill_between(df["year"], df["ci_low"], df["ci_high"], color=colour, alpha=0.18, lw=0)


def _trend_panels(df: pd.DataFrame, series: str, names: tuple[str, ...], n_col: str) -> tuple[
        Figure, int, int]:
    """Draw one panel per venue; returns (figure, drawn venues, hidden points)."""
    venues = sorted(df["venue"].unique())
    fig, axes = _venue_axes(venues)
    drawn = hidden = 0
    for ax, venue in zip(axes, venues, strict=True):
        sub = df[df["venue"] == venue]
        ok = sub[sub[n_col] >= MIN_N]
        hidden += sub.loc[sub[n_col] < MIN_N, ["year"]].drop_duplicates().shape[0]
        ax.set_title(venue)
        ax.set_xlabel("year")
        ax.set_ylabel("share")
        ax.set_ylim(0, 1)
        if ok["year"].nunique() < 2:
            ax.text(0.5, 0.5, f"too little data:\n{ok['year'].nunique()} year(s) with "
                    f"n ≥ {MIN_N}", ha="center", va="center", transform=ax.transAxes)
            continue
        drawn += 1
        for name in names:
            line = ok[ok[series] == name].sort_values("year")
            if len(line) and line["share"].max() > 0:
                _band(ax, line, name, FRAMEWORK_STYLE.get(name, ("#000000", "-", "o")))
        years = sorted(ok["year"].unique())
        ax.set_xticks(years, [str(y) for y in years])
        ax.legend(fontsize=7, loc="best")
    return fig, drawn, hidden


def framework_trends_chart(shares: pd.DataFrame, source: str) -> Chart:
    """Framework share of analysed repositories over years, per venue, with Wilson bands."""
    title = "Framework share of analysed repositories, by venue and year"
    caption = (f"n = {int(shares.drop_duplicates(['venue', 'year'])['analysed'].sum())} analysed "
               f"repositories; bands: 95% Wilson intervals; a repository may use several "
               f"frameworks; years with n < {MIN_N} omitted. Source: {source}")
    if shares.empty:
        return too_little("framework_trends", title, caption, "No analysed repositories.")
    fig, drawn, hidden = _trend_panels(shares, "framework", TREND_FAMILIES, "analysed")
    if drawn == 0:
        plt.close(fig)
        return too_little("framework_trends", title, caption,
                          f"No venue has two years with at least {MIN_N} analysed repositories.")
    if hidden:
        caption += f" ({hidden} venue-year(s) omitted for n < {MIN_N}.)"
    return render("framework_trends", fig, title, caption)


def pytorch_share_chart(pt: pd.DataFrame, source: str) -> Chart:
    """PyTorch / (PyTorch + TensorFlow) per venue over years, with the 2020 study's point."""
    title = "PyTorch / (PyTorch + TensorFlow), by venue and year"
    df = pt.assign(series="pytorch", n=pt["pytorch"] + pt["tensorflow"])
    caption = (f"n = {int(df['n'].sum())} framework uses (repositories using both count on "
               f"both sides, as in the published figures); bands: 95% Wilson; years with fewer "
               f"than {MIN_N} uses omitted; ★ = 2020 study (61.8%). Source: {source}")
    if df.empty:
        return too_little("pytorch_share", title, caption, "No PyTorch or TensorFlow use.")
    fig, drawn, _ = _trend_panels(df, "series", ("pytorch",), "n")
    if drawn == 0:
        plt.close(fig)
        return too_little("pytorch_share", title, caption,
                          f"No venue has two years with at least {MIN_N} uses.")
    for ax in fig.axes:
        if ax.get_title() == SEED_MARK[0]:
            ax.plot([SEED_MARK[1]], [SEED_MARK[2]], "*", color="#000000", ms=12,
                    label="2020 study")
            ax.legend(fontsize=7, loc="best")
    return render("pytorch_share", fig, title, caption)


def stacked_chart(classes: pd.DataFrame, source: str) -> Chart:
    """Exclusive framework classes as stacked shares per venue-year."""
    title = "Framework mix per venue-year (each repository in one class)"
    caption = (f"n = {int(classes.drop_duplicates(['venue', 'year'])['analysed'].sum())} "
               f"analysed repositories; classes in priority order {', '.join(CLASSES)}; "
               f"n per bar above it. Source: {source}")
    if classes.empty:
        return too_little("framework_stacked", title, caption, "No analysed repositories.")
    wide = classes.pivot_table(index=["venue", "year"], columns="framework_class",
                               values="share", fill_value=0).reindex(columns=list(CLASSES))
    n = classes.groupby(["venue", "year"])["analysed"].first()
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(wide) + 3), 4.5))
    x = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    for name in CLASSES:
        colour = FRAMEWORK_STYLE[name][0]
        hatch = "//" if name in ("pytorch+tensorflow", "other") else None
        ax.bar(x, wide[name].to_numpy(), bottom=bottom, color=colour, label=name, hatch=hatch,
               edgecolor="white", lw=0.5)
        bottom += wide[name].fillna(0).to_numpy()
    for i, key in enumerate(wide.index):
        ax.text(i, 1.01, f"n={int(n[key])}", ha="center", fontsize=7)
    ax.set_xticks(x, [f"{v}\n{y}" for v, y in wide.index], fontsize=8)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("venue, year")
    ax.set_ylabel("share of analysed repositories")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return render("framework_stacked", fig, title, caption)


def breakdown_chart(name: str, table: pd.DataFrame, group: str, title: str, source: str,
                    top: int = 15) -> Chart:
    """Two panels per group: code share of accepted, framework shares of analysed."""
    table = table.sort_values("accepted", ascending=False).head(top).iloc[::-1]
    caption = (f"n = {int(table['accepted'].sum())} accepted papers, "
               f"{int(table['analysed'].sum())} analysed repositories in the groups shown; "
               f"bars: 95% Wilson intervals; framework bars only for groups with ≥ {MIN_N} "
               f"analysed. Source: {source}")
    if table.empty or table["accepted"].sum() < MIN_N:
        return too_little(name, title, caption, f"Fewer than {MIN_N} papers with a {group}.")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 0.35 * len(table) + 2), sharey=True)
    y = np.arange(len(table))
    err = np.vstack([table["code_share"] - table["code_ci_low"],
                     table["code_ci_high"] - table["code_share"]])
    ax1.barh(y, table["code_share"], xerr=err, color=OKABE_ITO[8], capsize=2)
    ax1.set_yticks(y, [f"{g} (n={a})" for g, a in zip(table[group], table["accepted"],
                                                       strict=True)])
    ax1.set_xlim(0, 1)
    ax1.set_xlabel("share of accepted papers with a code link")
    ax1.set_ylabel(group)
    big = (table["analysed"] >= MIN_N).to_numpy()
    for k, fw in enumerate(("pytorch", "tensorflow", "jax")):
        share = np.where(big, table[f"{fw}_share"], np.nan)
        err = np.vstack([share - table[f"{fw}_ci_low"], table[f"{fw}_ci_high"] - share])
        ax2.barh(y + (k - 1) * 0.27, share, height=0.27, xerr=np.nan_to_num(err), capsize=1.5,
                 color=FRAMEWORK_STYLE[fw][0], label=fw)
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("share of analysed repositories")
    ax2.legend(fontsize=7, loc="lower right")
    return render(name, fig, title, caption)
