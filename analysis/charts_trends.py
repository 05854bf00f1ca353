"""Charts over years and groups: framework trends, stacked shares, breakdowns.

Points of a trend with fewer than ``MIN_N`` analysed repositories are not
drawn (the caption says how many were left out); a venue with fewer than two
drawable years gets a panel that says so. Panels share one legend, placed
beside them, so no legend position has to be searched for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.charts import FRAMEWORK_STYLE, MIN_N, OKABE_ITO
from analysis.layout import Chart, add_axes, figure, render, styled, too_little, y_margin
from analysis.metrics import CLASSES

TREND_FAMILIES = ("pytorch", "tensorflow", "keras", "jax")
SEED_MARK = ("ICLR", 2020, 154 / 249)  # the 2020 study's published PyTorch/(PyTorch+TF)
PANEL_W, PANEL_H, LEGEND_W = 3.6, 2.5, 1.5


def _venue_axes(venues: list[str], title: str, caption: str) -> tuple[Figure, list[Axes]]:
    """One panel per venue, three per row, sharing the y axis; legend band on the right."""
    cols = min(3, len(venues))
    rows = -(-len(venues) // cols)
    left, gap_x, gap_y = 0.65, 0.35, 0.95
    width = left + cols * PANEL_W + (cols - 1) * gap_x + LEGEND_W
    fig, box = figure(title, caption, width, rows * PANEL_H + (rows - 1) * gap_y + 0.3)
    axes: list[Axes] = []
    for i in range(len(venues)):
        r, c = divmod(i, cols)
        x0 = left + c * (PANEL_W + gap_x)
        y1 = 0.3 + r * (PANEL_H + gap_y)
        ax = add_axes(fig, box, left=x0, right=box.right - x0 - PANEL_W, top=y1,
                      bottom=box.top - box.bottom - y1 - PANEL_H,
                      sharey=axes[0] if axes else None)
        axes.append(ax)
    return fig, axes


def _year_ticks(ax: Axes, years: list[int], positions: object) -> None:
    """Year tick labels that fit a panel: every year up to 9, else every other one."""
    labels = [str(y) if len(years) <= 9 or i % 2 == 0 else "" for i, y in enumerate(years)]
    ax.set_xticks(positions, labels)  # type: ignore[arg-type]


def _band(ax: Axes, df: pd.DataFrame, label: str, style: tuple[str, str, str]) -> None:
    colour, line, marker = style
    ax.plot(df["year"], df["share"], line, marker=marker, color=colour, label=label)
    ax.fill_between(df["year"], df["ci_low"], df["ci_high"], color=colour, alpha=0.18, lw=0)


def _legend(fig: Figure, axes: list[Axes]) -> None:
    """One legend for all panels, in the band right of them."""
    seen: dict[str, Artist] = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        for h, label in zip(handles, labels, strict=True):
            seen.setdefault(label, h)
    if seen:
        width = fig.get_figwidth()
        fig.legend(list(seen.values()), list(seen), loc="center left", frameon=False,
                   bbox_to_anchor=(1 - (LEGEND_W - 0.1) / width, 0.55))


def _trend_panels(df: pd.DataFrame, series: str, names: tuple[str, ...], n_col: str,
                  title: str, caption: str, labels: dict[str, str] | None = None,
                  ) -> tuple[Figure, list[Axes], int]:
    """Draw one panel per venue; returns (figure, drawn panels, hidden venue-years)."""
    venues = sorted(df["venue"].unique())
    fig, axes = _venue_axes(venues, title, caption)
    drawn, hidden = [], 0
    for ax, venue in zip(axes, venues, strict=True):
        sub = df[df["venue"] == venue]
        ok = sub[sub[n_col] >= MIN_N]
        hidden += sub.loc[sub[n_col] < MIN_N, ["year"]].drop_duplicates().shape[0]
        ax.set_title(venue)
        ax.set_xlabel("year")
        ax.set_ylim(0, 1)
        if ax.get_position().x0 == axes[0].get_position().x0:
            ax.set_ylabel("share")
        else:  # same y axis as the first panel of its row
            ax.tick_params(labelleft=False)
        if ok["year"].nunique() < 2:
            ax.text(0.5, 0.5, f"too little data:\n{ok['year'].nunique()} year(s) with "
                    f"n ≥ {MIN_N}", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            continue
        drawn.append(ax)
        for name in names:
            line = ok[ok[series] == name].sort_values("year")
            if len(line) and line["share"].max() > 0:
                _band(ax, line, (labels or {}).get(name, name),
                      FRAMEWORK_STYLE.get(name, ("#000000", "-", "o")))
        years = sorted(ok["year"].unique())
        _year_ticks(ax, years, years)
    return fig, drawn, hidden


@styled
def framework_trends_chart(shares: pd.DataFrame, source: str) -> Chart:
    """Framework share of analysed repositories over years, per venue, with Wilson bands."""
    title = "Framework share of analysed repositories, by venue and year"
    caption = (f"n = {int(shares.drop_duplicates(['venue', 'year'])['analysed'].sum())} analysed "
               f"repositories; bands: 95% Wilson intervals; a repository may use several "
               f"frameworks; years with n < {MIN_N} omitted. Source: {source}")
    if shares.empty:
        return too_little("framework_trends", title, caption, "No analysed repositories.")
    per_vy = shares.drop_duplicates(["venue", "year"])
    ok = per_vy[per_vy["analysed"] >= MIN_N].groupby("venue")["year"].nunique()
    if not (ok >= 2).any():
        return too_little("framework_trends", title, caption,
                          f"No venue has two years with at least {MIN_N} analysed repositories.")
    hidden = int((per_vy["analysed"] < MIN_N).sum())
    if hidden:
        caption += f" ({hidden} venue-year(s) omitted for n < {MIN_N}.)"
    fig, drawn, _ = _trend_panels(shares, "framework", TREND_FAMILIES, "analysed", title, caption)
    _legend(fig, drawn)
    return render("framework_trends", fig, title, caption)


@styled
def pytorch_share_chart(pt: pd.DataFrame, source: str) -> Chart:
    """PyTorch / (PyTorch + TensorFlow) per venue over years, with the 2020 study's point."""
    title = "PyTorch / (PyTorch + TensorFlow), by venue and year"
    df = pt.assign(series="pytorch", n=pt["pytorch"] + pt["tensorflow"])
    caption = (f"n = {int(df['n'].sum())} framework uses (repositories using both count on "
               f"both sides, as in the published figures); bands: 95% Wilson; years with fewer "
               f"than {MIN_N} uses omitted; ★ = the 2020 study's published ICLR 2020 figure "
               f"({SEED_MARK[2]:.1%}; its TensorFlow count includes a manual +12 offset). "
               f"Source: {source}")
    if df.empty:
        return too_little("pytorch_share", title, caption, "No PyTorch or TensorFlow use.")
    ok = df[df["n"] >= MIN_N].groupby("venue")["year"].nunique()
    if not (ok >= 2).any():
        return too_little("pytorch_share", title, caption,
                          f"No venue has two years with at least {MIN_N} uses.")
    fig, drawn, _ = _trend_panels(df, "series", ("pytorch",), "n", title, caption,
                                  {"pytorch": "our data"})
    for ax in drawn:
        if ax.get_title() == SEED_MARK[0]:
            ax.plot([SEED_MARK[1]], [SEED_MARK[2]], "*", color="#000000", ms=12,
                    label="2020 study")
    _legend(fig, drawn)
    return render("pytorch_share", fig, title, caption)


@styled
def stacked_chart(classes: pd.DataFrame, source: str) -> Chart:
    """Exclusive framework classes as stacked shares per venue-year."""
    title = "Framework mix per venue-year (each repository in one class)"
    caption = (f"n = {int(classes.drop_duplicates(['venue', 'year'])['analysed'].sum())} "
               f"analysed repositories; classes in priority order {', '.join(CLASSES)}; "
               f"number of analysed repositories above each bar. Source: {source}")
    if classes.empty:
        return too_little("framework_stacked", title, caption, "No analysed repositories.")
    wide = classes.pivot_table(index=["venue", "year"], columns="framework_class",
                               values="share", fill_value=0).reindex(columns=list(CLASSES))
    n = classes.groupby(["venue", "year"])["analysed"].first()
    venues = sorted({v for v, _ in wide.index})
    fig, axes = _venue_axes(venues, title, caption)
    for ax, venue in zip(axes, venues, strict=True):
        sub = wide.loc[venue]
        x = np.arange(len(sub))
        bottom = np.zeros(len(sub))
        for name in CLASSES:
            hatch = "//" if name in ("pytorch+tensorflow", "other") else None
            ax.bar(x, sub[name].to_numpy(), bottom=bottom, color=FRAMEWORK_STYLE[name][0],
                   label=name, hatch=hatch, edgecolor="white", lw=0.5)
            bottom += sub[name].fillna(0).to_numpy()
        for i, year in enumerate(sub.index):
            ax.text(i, 1.01, f"{int(n[(venue, year)])}", ha="center", fontsize=6,
                    rotation=90 if len(sub) > 6 else 0, va="bottom")
        _year_ticks(ax, list(sub.index), x)
        ax.set_title(venue, pad=22)
        ax.set_ylim(0, 1.0)
        ax.set_xlabel("year")
        if ax.get_position().x0 == axes[0].get_position().x0:
            ax.set_ylabel("share of analysed")
        else:
            ax.tick_params(labelleft=False)
    handles, labels = axes[0].get_legend_handles_labels()
    width = fig.get_figwidth()
    fig.legend(handles[::-1], labels[::-1], loc="center left", frameon=False,
               bbox_to_anchor=(1 - (LEGEND_W - 0.1) / width, 0.55))
    return render("framework_stacked", fig, title, caption)


@styled
def breakdown_chart(name: str, table: pd.DataFrame, group: str, title: str, source: str,
                    top: int = 15) -> Chart:
    """Two panels per group: code share of accepted, framework shares of analysed."""
    table = table.sort_values(["accepted", group], ascending=[False, True]).head(top).iloc[::-1]
    caption = (f"n = {int(table['accepted'].sum())} accepted papers, "
               f"{int(table['analysed'].sum())} analysed repositories in the groups shown; "
               f"labels: {group} (n = accepted/analysed); bars: 95% Wilson intervals; "
               f"framework bars only for groups with ≥ {MIN_N} analysed. Source: {source}")
    if table.empty or table["accepted"].sum() < MIN_N:
        return too_little(name, title, caption, f"Fewer than {MIN_N} papers with a {group}.")
    labels = [f"{g} (n={a}/{k})" for g, a, k in zip(table[group], table["accepted"],
                                                    table["analysed"], strict=True)]
    left = y_margin(labels)
    width = left + 7.4
    fig, box = figure(title, caption, width, max(1.0, 0.3 * len(table) + 0.1))
    ax1 = add_axes(fig, box, left=left, right=width - left - 3.3)
    ax2 = add_axes(fig, box, left=left + 3.6, right=0.2, sharey=ax1)
    y = np.arange(len(table))
    err = np.vstack([table["code_share"] - table["code_ci_low"],
                     table["code_ci_high"] - table["code_share"]])
    ax1.barh(y, table["code_share"], xerr=err, color=OKABE_ITO[8], capsize=2)
    ax1.set_yticks(y, labels)
    ax1.set_ylim(-0.6, len(table) - 0.4)
    ax1.set_xlim(0, 1)
    ax1.set_xlabel("share of accepted papers with a code link")
    ax1.set_ylabel(group)
    big = (table["analysed"] >= MIN_N).to_numpy()
    for k, fw in enumerate(("pytorch", "tensorflow", "jax")):
        share = np.where(big, table[f"{fw}_share"], np.nan)
        err = np.vstack([share - table[f"{fw}_ci_low"], table[f"{fw}_ci_high"] - share])
        ax2.barh(y + (1 - k) * 0.27, share, height=0.27, xerr=err, capsize=1.5,
                 color=FRAMEWORK_STYLE[fw][0], hatch=(None, "//", "..")[k], edgecolor="white",
                 lw=0, label=fw)
    for i in np.flatnonzero(~big):
        ax2.text(0.01, float(i), f"n < {MIN_N}: not shown", va="center", fontsize=6.5,
                 color="#555555")
    ax2.tick_params(labelleft=False)
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("share of analysed repositories")
    ax2.legend(loc="lower right")
    return render(name, fig, title, caption)
