"""Frames → figures → PNG and SVG bytes: funnel, top tools, word cloud, heat maps.

Colour-blind safe throughout: the Okabe–Ito palette for categories (plus line
styles, markers and hatches, so nothing depends on colour alone) and
``cividis`` for heat maps. Every chart has a title, labelled axes and a
caption with ``n`` and the data source drawn into the image itself. When there
is too little data the chart is still drawn, as a panel that says so: every
chart file always exists and the report can say why it is empty. Layout is
computed up front (:mod:`analysis.layout`), never by measuring a drawn figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.layout import (
    Chart,
    add_axes,
    figure,
    render,
    styled,
    text_width,
    too_little,
    y_margin,
)

__all__ = ["FRAMEWORK_STYLE", "MIN_N", "OKABE_ITO", "Chart", "funnel_chart", "heatmap_chart",
           "render", "too_little", "top_tools_chart", "wordcloud_chart"]

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000", "#999999")
FRAMEWORK_STYLE: dict[str, tuple[str, str, str]] = {  # colour, line style, marker
    "pytorch": ("#D55E00", "-", "o"), "tensorflow": ("#0072B2", "--", "s"),
    "keras": ("#56B4E9", "-.", "^"), "jax": ("#009E73", ":", "D"),
    "mxnet": ("#CC79A7", "-", "v"), "chainer": ("#F0E442", "--", "P"),
    "theano": ("#999999", "-.", "X"), "paddlepaddle": ("#E69F00", ":", "*"),
    "none": ("#000000", "-", "."), "pytorch+tensorflow": ("#E69F00", "-", "h"),
    "other": ("#CC79A7", "-", "v"),
}
HEATMAP = "cividis"
MIN_N = 10  # fewest analysed repositories for a point of a trend or a bar of a breakdown
ANNOTATE_CELLS = 160  # heat maps with more cells are not annotated (values are in the CSV)
ROW = 0.24  # inches per bar of a horizontal bar chart


@styled
def funnel_chart(funnel: pd.DataFrame, source: str) -> Chart:
    """Pooled funnel bars (with % of accepted) and failure reasons."""
    title = "From accepted papers to analysed repositories"
    totals = funnel.groupby("stage")["count"].sum()
    n_vy = funnel[["venue", "year"]].drop_duplicates().shape[0]
    caption = f"n = {int(totals.get('accepted', 0))} accepted papers in {n_vy} venue-years " \
              f"(pooled). Source: {source}"
    if totals.get("accepted", 0) == 0:
        return too_little("funnel", title, caption, "No accepted papers in the datasets.")
    stages = ["accepted", "with_code_link", "supported_host", "downloaded", "analysed"]
    fails = totals[[s for s in totals.index if s.startswith("failed:")]].sort_values()
    reasons = [s[7:] for s in fails.index]
    fig, box = figure(title, caption, 10.0, ROW * max(5, len(fails)) + 0.6)
    split = 5.8
    left = y_margin(stages)
    ax1 = add_axes(fig, box, left=left, right=box.right - split + 0.3, top=0.3)
    ax2 = add_axes(fig, box, left=split + y_margin(reasons), right=0.25, top=0.3)
    values = [int(totals.get(s, 0)) for s in stages]
    ax1.barh(stages[::-1], values[::-1], color=OKABE_ITO[4])
    for y, v in enumerate(values[::-1]):
        ax1.text(v, y, f" {v} ({v / values[0]:.0%})", va="center", fontsize=8)
    ax1.set_xlabel("papers")
    ax1.set_ylabel("stage")
    ax1.set_xlim(0, values[0] * 1.35)
    ax1.set_title("funnel (% of accepted)")
    if len(fails):
        ax2.barh(reasons, fails.to_numpy(), color=OKABE_ITO[5], hatch="//", edgecolor="white")
        for y, v in enumerate(fails.to_numpy()):
            ax2.text(v, y, f" {int(v)}", va="center", fontsize=8)
        ax2.set_xlim(0, fails.max() * 1.3)
        ax2.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax2.text(0.5, 0.5, "no failures", ha="center", va="center", transform=ax2.transAxes)
        ax2.set_yticks([])
    ax2.set_xlabel("primary links")
    ax2.set_ylabel("failure reason")
    ax2.set_title("failures by reason")
    return render("funnel", fig, title, caption)


@styled
def top_tools_chart(totals: pd.DataFrame, analysed: int, source: str, top: int = 20) -> Chart:
    """Top tools by share of analysed repositories, with Wilson 95 % intervals."""
    title = f"Top {top} tools: share of analysed repositories"
    caption = f"n = {analysed} analysed repositories (pooled over the selected venue-years); " \
              f"bars: 95% Wilson intervals; label: share (repositories). Source: {source}"
    if analysed < MIN_N or totals.empty:
        return too_little("top_tools", title, caption, f"{analysed} analysed repositories "
                          f"(fewer than {MIN_N}).")
    df = totals.head(top).iloc[::-1]
    fig, box = figure(title, caption, 8.0, ROW * len(df) + 0.2)
    ax = add_axes(fig, box, left=y_margin(df["tool"]), right=0.25)
    err = np.vstack([df["share"] - df["ci_low"], df["ci_high"] - df["share"]])
    y = np.arange(len(df))
    ax.barh(y, df["share"], xerr=err, color=OKABE_ITO[4], ecolor="#333333", capsize=2)
    for i, (s, hi, k) in enumerate(zip(df["share"], df["ci_high"], df["repos"], strict=True)):
        ax.text(hi + 0.01, i, f"{s:.0%} ({k})", va="center", fontsize=7)
    ax.set_yticks(y, list(df["tool"]))
    ax.set_ylim(-0.6, len(df) - 0.4)
    ax.set_xlim(0, 1.18)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("share of analysed repositories using the tool")
    ax.set_ylabel("tool (PEP 503 name)")
    return render("top_tools", fig, title, caption)


@styled
def wordcloud_chart(totals: pd.DataFrame, analysed: int, source: str, top: int = 100) -> Chart:
    """Word cloud of the top tools, sized by the number of repositories using them."""
    from wordcloud import WordCloud

    title = f"Top {top} tools (word size ∝ repositories using the tool)"
    caption = f"n = {analysed} analysed repositories, {min(top, len(totals))} tools shown; " \
              f"exact counts in the top-tools chart and tables/tool_totals.csv. Source: {source}"
    if analysed < MIN_N or totals.empty:
        return too_little("wordcloud", title, caption, f"{analysed} analysed repositories.")
    freqs = {t: float(r) for t, r in zip(totals["tool"].head(top), totals["repos"].head(top),
                                         strict=True) if r > 0}
    dark = OKABE_ITO[4:8]  # colour carries no meaning here; dark ones stay legible on white
    cloud = WordCloud(width=900, height=450, max_font_size=110, background_color="white",
                      random_state=0, prefer_horizontal=0.9,
                      color_func=lambda *a, random_state, **k: dark[random_state.randint(0, 3)],
                      ).generate_from_frequencies(freqs)
    fig, box = figure(title, caption, 9.0, 4.5, below=0.05)
    ax = add_axes(fig, box, left=0.1, right=0.1)
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    return render("wordcloud", fig, title, caption)


@styled
def heatmap_chart(name: str, matrix: pd.DataFrame, title: str, caption: str, xlabel: str,
                  ylabel: str, colorbar: str) -> Chart:
    """A ``cividis`` heat map of shares in [0, 1], annotated when it is small."""
    if matrix.empty or matrix.shape[0] < 2:
        return too_little(name, title, caption, "Fewer than two rows to compare.")
    values = matrix.to_numpy(dtype=float)
    rows, cols = values.shape
    annotate = rows * cols <= ANNOTATE_CELLS
    if not annotate:
        caption += " Cells not annotated (too many); exact values are in the CSV table."
    xlabels, ylabels = [str(c) for c in matrix.columns], [str(i) for i in matrix.index]
    rotate = max(len(line) for s in xlabels for line in s.split("\n")) > 7
    lines = max(s.count("\n") + 1 for s in xlabels)
    below = 0.4 + (text_width(xlabels) * 0.72 + 0.1 * lines if rotate else 0.16 * lines)
    cell = 0.5 if annotate else 0.32
    left = y_margin(ylabels)
    fig, box = figure(title, caption, max(6.0, left + cell * cols + 1.6), 0.3 * rows, below)
    ax = add_axes(fig, box, left=left, right=1.35)
    cax = add_axes(fig, box, left=box.right - 1.15, right=0.95)
    image = ax.imshow(values, cmap=HEATMAP, vmin=0, vmax=1, aspect="auto")
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if not np.isnan(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if v < 0.55 else "black")
    ax.set_xticks(range(cols), xlabels, rotation=45 if rotate else 0,
                  ha="right" if rotate else "center", rotation_mode="anchor")
    ax.set_yticks(range(rows), ylabels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(image, cax=cax, label=colorbar)
    return render(name, fig, title, caption)
