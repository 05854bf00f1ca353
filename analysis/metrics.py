"""Pure frames → tidy tables: funnel, tool usage, frameworks, co-usage.

Every share has its denominator next to it; every framework share has a 95 %
Wilson interval. Tool counts come from ``np.bincount`` over the
dictionary-encoded tools of each venue-year (see :mod:`analysis.load`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.load import Census
from analysis.stats import share, wilson
from crawler.records import FRAMEWORK_FAMILIES

KEY = ["venue", "year"]
STAGES = ("accepted", "with_code_link", "supported_host", "downloaded", "analysed")
# Exclusive framework classes for stacked charts, in priority order.
CLASSES = ("pytorch+tensorflow", "pytorch", "tensorflow", "keras", "jax", "other", "none")


def with_interval(df: pd.DataFrame, k: str = "repos", n: str = "analysed") -> pd.DataFrame:
    """Add ``share``, ``ci_low``, ``ci_high`` (Wilson 95 %) for ``df[k] / df[n]``."""
    low, high = wilson(df[k].to_numpy(), df[n].to_numpy())
    return df.assign(share=share(df[k].to_numpy(), df[n].to_numpy()), ci_low=low, ci_high=high)


def funnel(census: Census) -> pd.DataFrame:
    """``venue, year, stage, count``: accepted → … → analysed, then ``failed:<reason>``."""
    papers, repos = census.papers, census.repos
    prim = repos.loc[repos["primary"].astype(bool).to_numpy(), KEY + ["status", "stage"]]
    counts = {
        "accepted": papers.groupby(KEY).size(),
        "with_code_link": papers[papers["status"] == "has_code_link"].groupby(KEY).size(),
        "supported_host": prim[prim["status"] != "unsupported_host"].groupby(KEY).size(),
        "downloaded": prim[(prim["status"] == "ok") | (prim["stage"] == "extract")]
        .groupby(KEY).size(),
        "analysed": prim[prim["status"] == "ok"].groupby(KEY).size(),
    }
    wide = pd.DataFrame(counts).reindex(columns=list(STAGES)).fillna(0).astype("int64")
    pending = wide["with_code_link"] - prim.groupby(KEY).size().reindex(wide.index).fillna(0)
    rows = wide.stack().rename("count").reset_index().rename(columns={"level_2": "stage"})
    failed = prim[prim["status"] != "ok"].groupby(KEY + ["status"]).size().rename("count")
    failed = failed.reset_index().rename(columns={"status": "stage"})
    failed["stage"] = "failed:" + failed["stage"].astype(str)
    extra = pending[pending > 0].astype("int64").rename("count").reset_index()
    extra["stage"] = "pending"
    out = pd.concat([rows, failed, extra], ignore_index=True).astype({"venue": str, "stage": str})
    order = {s: i for i, s in enumerate(STAGES)}
    out["_o"] = out["stage"].map(order).fillna(len(order))
    out = out.sort_values(KEY + ["_o", "stage"]).drop(columns="_o").reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["count"] = out["count"].astype("int64")
    return out[KEY + ["stage", "count"]]


def analysed_counts(census: Census) -> pd.Series:
    """Analysed primary repositories per venue-year (the denominator of shares)."""
    return census.units.groupby(KEY).size().rename("analysed")


def tool_usage(census: Census) -> pd.DataFrame:
    """``venue, year, tool, repos, analysed, share`` (+ Wilson interval)."""
    n = analysed_counts(census)
    frames = []
    for part in census.tool_parts:
        counts = np.bincount(part.tool_codes, minlength=len(part.tools))
        frames.append(pd.DataFrame({"venue": part.venue, "year": part.year,
                                    "tool": part.tools, "repos": counts}))
    if not frames:
        empty = pd.DataFrame(columns=KEY + ["tool", "repos", "analysed"])
        return with_interval(empty.astype({"repos": "int64", "analysed": "int64"}))
    df = pd.concat(frames, ignore_index=True)
    df["analysed"] = df.set_index(KEY).index.map(n).to_numpy().astype("int64")
    df = df.sort_values(KEY + ["repos", "tool"], ascending=[True, True, False, True])
    return with_interval(df.reset_index(drop=True))


def unique_tools(census: Census) -> pd.DataFrame:
    """Per venue-year: distinct tools, tools used by one repository, tools per repository."""
    n = analysed_counts(census)
    rows = []
    for part in census.tool_parts:
        per_tool = np.bincount(part.tool_codes, minlength=len(part.tools))
        per_repo = np.bincount(part.paper_codes, minlength=len(part.papers))
        analysed = int(n.get((part.venue, part.year), 0))
        per_repo = np.concatenate([per_repo, np.zeros(analysed - len(per_repo), np.int64)])
        rows.append({"venue": part.venue, "year": part.year, "analysed": analysed,
                     "unique_tools": len(part.tools),
                     "single_repo_tools": int((per_tool == 1).sum()),
                     "tool_rows": len(part.tool_codes),
                     "repos_without_tools": int((per_repo == 0).sum()),
                     "mean_tools": float(per_repo.mean()) if analysed else float("nan"),
                     "median_tools": float(np.median(per_repo)) if analysed else float("nan")})
    return pd.DataFrame(rows, columns=KEY + ["analysed", "unique_tools", "single_repo_tools",
                                             "tool_rows", "repos_without_tools", "mean_tools",
                                             "median_tools"])


def framework_share(census: Census) -> pd.DataFrame:
    """``venue, year, framework, repos, analysed, share, ci_low, ci_high``; ``none`` included.

    Families are not exclusive (a repository may use PyTorch and TensorFlow), so
    shares of one venue-year can sum to more than 1.
    """
    units = census.units
    flags = units[[f"fw_{f}" for f in FRAMEWORK_FAMILIES]]
    grouped = units[KEY].assign(**{c[3:]: flags[c].astype("int64") for c in flags.columns})
    grouped["none"] = (~flags.any(axis=1)).astype("int64")
    wide = grouped.groupby(KEY).sum()
    long = wide.stack().rename("repos").reset_index().rename(columns={"level_2": "framework"})
    long["analysed"] = long.set_index(KEY).index.map(analysed_counts(census)).to_numpy()
    return with_interval(long.astype({"repos": "int64", "analysed": "int64"}))


def framework_class(units: pd.DataFrame) -> pd.Series:
    """One exclusive class per analysed repository (for stacked shares)."""
    pt, tf = units["fw_pytorch"].to_numpy(), units["fw_tensorflow"].to_numpy()
    keras, jax = units["fw_keras"].to_numpy(), units["fw_jax"].to_numpy()
    other = units[[f"fw_{f}" for f in FRAMEWORK_FAMILIES]].to_numpy().any(axis=1)
    cls = np.select([pt & tf, pt, tf, keras, jax, other], list(CLASSES[:-1]), default="none")
    return pd.Series(cls, index=units.index, name="framework_class")


def framework_classes(census: Census) -> pd.DataFrame:
    """``venue, year, framework_class, repos, analysed, share, ci_low, ci_high`` (exclusive)."""
    units = census.units.assign(framework_class=framework_class(census.units))
    counts = units.groupby(KEY + ["framework_class"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(CLASSES), fill_value=0)
    long = counts.stack().rename("repos").reset_index()
    long["analysed"] = long.set_index(KEY).index.map(analysed_counts(census)).to_numpy()
    return with_interval(long.astype({"repos": "int64", "analysed": "int64"}))


def pytorch_share(census: Census) -> pd.DataFrame:
    """PyTorch / (PyTorch + TensorFlow) per venue-year, two ways.

    ``share`` is the published definition (a repository using both counts on
    both sides; interval with n = pytorch + tensorflow). ``share_exclusive``
    drops repositories using both, as He (2019) did, and is a plain binomial.
    """
    u = census.units
    pt, tf = u["fw_pytorch"], u["fw_tensorflow"]
    df = u[KEY].assign(pytorch=pt.astype("int64"), tensorflow=tf.astype("int64"),
                       both=(pt & tf).astype("int64"), pytorch_only=(pt & ~tf).astype("int64"),
                       tensorflow_only=(tf & ~pt).astype("int64"))
    df = df.groupby(KEY).sum().reset_index()
    df["analysed"] = df.set_index(KEY).index.map(analysed_counts(census)).to_numpy()
    df = with_interval(df.assign(n=df["pytorch"] + df["tensorflow"]), k="pytorch", n="n")
    excl_n = df["pytorch_only"] + df["tensorflow_only"]
    low, high = wilson(df["pytorch_only"].to_numpy(), excl_n.to_numpy())
    return df.drop(columns="n").assign(
        share_exclusive=share(df["pytorch_only"].to_numpy(), excl_n.to_numpy()),
        ci_low_exclusive=low, ci_high_exclusive=high)


def tool_totals(usage: pd.DataFrame, census: Census) -> pd.DataFrame:
    """Tools pooled over the selected venue-years: ``tool, repos, analysed, share, …``."""
    total = int(len(census.units))
    df = usage.groupby("tool").agg(repos=("repos", "sum"), venue_years=("repos", "size"))
    df = df.reset_index().assign(analysed=total)
    df = df.sort_values(["repos", "tool"], ascending=[False, True]).reset_index(drop=True)
    return with_interval(df)


def tool_by_year(usage: pd.DataFrame, census: Census, tools: list[str]) -> pd.DataFrame:
    """``tool, year, repos, analysed, share`` pooled over venues, for ``tools``."""
    n = census.units.groupby("year").size().rename("analysed")
    sub = usage[usage["tool"].isin(tools)].groupby(["tool", "year"])["repos"].sum()
    grid = pd.MultiIndex.from_product([tools, sorted(n.index)], names=["tool", "year"])
    df = sub.reindex(grid, fill_value=0).reset_index()
    df["analysed"] = df["year"].map(n).to_numpy()
    return with_interval(df.astype({"repos": "int64", "analysed": "int64"}))


def co_usage(census: Census, tools: list[str]) -> pd.DataFrame:
    """Pairs of ``tools``: repositories using both, Jaccard index, P(b | a)."""
    k = len(tools)
    both = np.zeros((k, k), dtype=np.int64)
    for part in census.tool_parts:
        position = {name: i for i, name in enumerate(part.tools)}
        lookup = np.full(len(part.tools), -1, dtype=np.int64)
        for j, name in enumerate(tools):
            if name in position:
                lookup[position[name]] = j
        col = lookup[part.tool_codes]
        keep = col >= 0
        matrix = np.zeros((len(part.papers), k), dtype=np.int32)
        matrix[part.paper_codes[keep], col[keep]] = 1
        both += (matrix.T @ matrix).astype(np.int64)
    diag = np.diag(both)
    a, b = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    df = pd.DataFrame({"tool_a": np.array(tools, dtype=object)[a.ravel()],
                       "tool_b": np.array(tools, dtype=object)[b.ravel()],
                       "both": both.ravel(), "repos_a": diag[a.ravel()],
                       "repos_b": diag[b.ravel()]})
    union = df["repos_a"] + df["repos_b"] - df["both"]
    return df.assign(jaccard=share(df["both"], union), p_b_given_a=share(df["both"], df["repos_a"]))
