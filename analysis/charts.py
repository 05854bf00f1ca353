"""Frames → matplotlib figures → PNG and SVG bytes.

Colour-blind safe throughout: the Okabe–Ito palette for categories (plus line
styles and markers, so nothing depends on colour alone) and ``cividis`` for
heat maps. Every chart has a title, labelled axes and a caption with ``n`` and
the data source drawn into the image itself. When there is too little data
the chart is still drawn, as a panel that says so: every chart file always
exists and the report can say why it is empty.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

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
plt.rcParams.update({"svg.hashsalt": "toolcensus", "font.size": 9, "axes.titlesize": 11,
                     "figure.dpi": 100})


@dataclass(frozen=True)
class Chart:
    """One rendered chart: file stem, title, caption and both encodings."""

    name: str
    title: str
    caption: str
    png: bytes
    svg: bytes
    empty: bool = False  # True when the chart only says there was too little data


def render(name: str, fig: Figure, title: str, caption: str, empty: bool = False) -> Chart:
    """Add title and caption, encode as PNG and SVG, close the figure."""
    fig.suptitle(title, fontsize=12, fontweight="bold")
    width = int(fig.get_figwidth() * 17)  # characters of 7.5 pt text per inch, roughly
    text = textwrap.fill(caption, width=max(60, width))
    lines = text.count("\n") + 1
    fig.text(0.01, 0.005, text, fontsize=7.5, color="#333333", ha="left", va="bottom")
    bottom = min(0.3, (0.16 * lines + 0.1) / fig.get_figheight())
    fig.tight_layout(rect=(0, bottom, 1, 0.95))
    out = []
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        out.append(buf.getvalue())
    plt.close(fig)
    return Chart(name, title, caption, out[0], out[1], empty)


def too_little(name: str, title: str, caption: str, why: str) -> Chart:
    """A chart that says there is too little data, and why."""
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.text(0.5, 0.5, f"Too little data to draw this chart.\n{why}", ha="center", va="center",
            fontsize=11, wrap=True)
    ax.set_axis_off()
    return render(name, fig, title, caption, empty=True)


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
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), width_ratios=(3, 2))
    values = [int(totals.get(s, 0)) for s in stages]
    ax1.barh(stages[::-1], values[::-1], color=OKABE_ITO[4])
    for y, v in enumerate(values[::-1]):
        ax1.text(v, y, f" {v} ({v / values[0]:.0%})", va="center", fontsize=8)
    ax1.set_xlabel("papers")
    ax1.set_ylabel("stage")
    ax1.set_xlim(0, values[0] * 1.3)
    ax1.set_title("funnel (% of accepted)")
    if len(fails):
        ax2.barh([s[7:] for s in fails.index], fails.to_numpy(), color=OKABE_ITO[5])
        for y, v in enumerate(fails.to_numpy()):
            ax2.text(v, y, f" {int(v)}", va="center", fontsize=8)
        ax2.set_xlim(0, fails.max() * 1.25)
    else:
        ax2.text(0.5, 0.5, "no failures", ha="center", va="center")
    ax2.set_xlabel("primary links")
    ax2.set_ylabel("failure reason")
    ax2.set_title("failures by reason")
    return render("funnel", fig, title, caption)


def top_tools_chart(totals: pd.DataFrame, analysed: int, source: str, top: int = 20) -> Chart:
    """Top tools by share of analysed repositories, with Wilson 95 % intervals."""
    title = f"Top {top} tools: share of analysed repositories"
    caption = f"n = {analysed} analysed repositories (pooled over the selected venue-years); " \
              f"bars: 95% Wilson intervals. Source: {source}"
    if analysed < MIN_N or totals.empty:
        return too_little("top_tools", title, caption, f"{analysed} analysed repositories "
                          f"(fewer than {MIN_N}).")
    df = totals.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(df) + 1.5))
    err = np.vstack([df["share"] - df["ci_low"], df["ci_high"] - df["share"]])
    ax.barh(df["tool"], df["share"], xerr=err, color=OKABE_ITO[4], ecolor="#333333", capsize=2)
    for y, (s, k) in enumerate(zip(df["share"], df["repos"], strict=True)):
        ax.text(min(s + 0.02, 1.02), y, f"{s:.0%} ({k})", va="center", fontsize=7)
    ax.set_xlim(0, 1.15)
    ax.set_xlabel("share of analysed repositories using the tool")
    ax.set_ylabel("tool (PEP 503 name)")
    return render("top_tools", fig, title, caption)


def wordcloud_chart(totals: pd.DataFrame, analysed: int, source: str, top: int = 100) -> Chart:
    """Word cloud of the top tools, sized by the number of repositories using them."""
    from wordcloud import WordCloud

    title = f"Top {top} tools (word size ∝ repositories using the tool)"
    caption = f"n = {analysed} analysed repositories, {min(top, len(totals))} tools shown. " \
              f"Source: {source}"
    if analysed < MIN_N or totals.empty:
        return too_little("wordcloud", title, caption, f"{analysed} analysed repositories.")
    freqs = {t: float(r) for t, r in zip(totals["tool"].head(top), totals["repos"].head(top),
                                         strict=True) if r > 0}
    cloud = WordCloud(width=1000, height=500, background_color="white", colormap="viridis",
                      random_state=0, prefer_horizontal=0.9).generate_from_frequencies(freqs)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    return render("wordcloud", fig, title, caption)


def heatmap_chart(name: str, matrix: pd.DataFrame, title: str, caption: str, xlabel: str,
                  ylabel: str, colorbar: str) -> Chart:
    """An annotated ``cividis`` heat map of shares in [0, 1]."""
    if matrix.empty or matrix.shape[0] < 2:
        return too_little(name, title, caption, "Fewer than two rows to compare.")
    values = matrix.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.1 + 0.6 * values.shape[1] + 2, 0.35 * values.shape[0] + 2))
    image = ax.imshow(values, cmap=HEATMAP, vmin=0, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if v < 0.55 else "black")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in matrix.columns], rotation=45,
                  ha="right")
    ax.set_yticks(range(values.shape[0]), [str(i) for i in matrix.index])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(image, ax=ax, label=colorbar, fraction=0.04)
    return render(name, fig, title, caption)
