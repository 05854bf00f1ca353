"""The 2020 ICLR study, reproduced with its own definitions next to ours.

The seed study (ICLR 2020: 687 accepted, 344 with code, 268 GitHub repos,
237 parsed; 154 PyTorch, 95 TensorFlow including a manual offset of 12,
23 Keras; PyTorch/(PyTorch+TensorFlow) = 61.8 %) counted with pipreqs names:

- a repository "uses PyTorch" if any tool name contains ``torch`` (so
  ``torchfile``, a Lua-Torch reader, counts), TensorFlow likewise with
  ``tensorflow`` and Keras with ``keras``;
- only GitHub repositories were counted;
- tool names are spelled the pipreqs way (``scikit_learn``).

The study's TensorFlow offset is an absolute count that corrected its own
237 repositories; added to any other dataset it would be meaningless (on a
6-repository crawl it would swamp every real count), so ``seed_definition``
applies the study's *definitions* to our data without it, and the offset
appears only in the note on the published figure.

Ours: the framework families the extractor detected, on every analysed primary
repository (GitHub and GitLab), with PEP 503 names. The table has one row per
(venue, year, metric) with ``published`` (ICLR 2020 only), ``seed_definition``
and ``ours``, a ``note`` saying why they can differ, and for the PyTorch share
the 95 % Wilson intervals of both columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.load import Census, ToolPart
from analysis.stats import share, wilson

SEED_TF_OFFSET = 12  # the study's manual TensorFlow correction for its 237 ICLR 2020 repos
PUBLISHED: dict[tuple[str, int], dict[str, Any]] = {
    ("ICLR", 2020): {"accepted": 687, "with_code_link": 344, "repos_counted": 268,
                     "analysed": 237, "pytorch": 154, "tensorflow": 95, "keras": 23,
                     "pytorch_share_of_pt_tf": 154 / (154 + 95), "unique_tools": 687,
                     "top_tools": "numpy, scipy, matplotlib, pandas, scikit_learn, tqdm, "
                                  "torchvision"},
}
_PT, _TF = 154, 95 - SEED_TF_OFFSET
NOTES = {
    "accepted": "same definition",
    "with_code_link": "same definition (papers with a non-empty code link)",
    "repos_counted": "seed: GitHub only; ours: primary links on a supported host",
    "analysed": "seed: GitHub repos pipreqs parsed; ours: primary repos extracted (all hosts)",
    "pytorch": "seed: any tool name containing 'torch'; ours: PyTorch family detected",
    "tensorflow": f"seed: any tool name containing 'tensorflow'; ours: TensorFlow family. The "
                  f"published figure includes a manual +{SEED_TF_OFFSET} offset ({_TF} without "
                  f"it); the offset corrects the study's own 237 repositories and is not applied "
                  f"to other data",
    "keras": "seed: any tool containing 'keras' (incl. tf-keras helpers); ours: Keras family",
    "pytorch_share_of_pt_tf": f"pytorch / (pytorch + tensorflow), repositories using both count "
                              f"on both sides; 95% Wilson over those uses. The published figure "
                              f"includes the +{SEED_TF_OFFSET} TensorFlow offset "
                              f"({_PT / (_PT + _TF):.1%} without it)",
    "unique_tools": "seed: pipreqs spellings on GitHub repos; ours: PEP 503 names, all repos",
    "top_tools": "seed: pipreqs spelling (underscores); ours: PEP 503 names",
}
COLUMNS = ["venue", "year", "metric", "published", "seed_definition", "ours", "note",
           "seed_ci_low", "seed_ci_high", "ours_ci_low", "ours_ci_high"]
TOP = 7


def _seed_part(part: ToolPart, github_ids: list[str]) -> dict[str, Any]:
    """Seed-definition counts for one venue-year's tools (GitHub repositories only)."""
    on_github = pc.is_in(part.papers, value_set=pa.array(github_ids, pa.string()))
    row_mask = on_github.to_numpy(zero_copy_only=False)[part.paper_codes]
    names = np.array([t.replace("-", "_") for t in part.tools], dtype=object)
    out: dict[str, Any] = {}
    for key, needle in (("pytorch", "torch"), ("tensorflow", "tensorflow"), ("keras", "keras")):
        hit = np.array([needle in t for t in part.tools], dtype=bool)
        rows = row_mask & hit[part.tool_codes]
        out[key] = int(np.unique(part.paper_codes[rows]).size)
    counts = np.bincount(part.tool_codes[row_mask], minlength=len(part.tools))
    out["unique_tools"] = int(np.unique(names[counts > 0]).size)
    order = np.lexsort((names, -counts))[:TOP]
    out["top_tools"] = ", ".join(names[i] for i in order if counts[i] > 0)
    return out


def _ours_part(part: ToolPart) -> dict[str, Any]:
    counts = np.bincount(part.tool_codes, minlength=len(part.tools))
    names = np.array(part.tools, dtype=object)
    order = np.lexsort((names, -counts))[:TOP]
    return {"unique_tools": len(part.tools), "top_tools": ", ".join(names[i] for i in order)}


def _ratio(pt: int, tf: int) -> tuple[float, float, float]:
    """``pt / (pt + tf)`` with its Wilson 95 % interval (NaN when there is no use)."""
    low, high = wilson(pt, pt + tf)
    return float(share(pt, pt + tf)), float(low), float(high)


def seed_comparison(census: Census, funnel: pd.DataFrame) -> pd.DataFrame:
    """``venue, year, metric, published, seed_definition, ours, note`` (+ share intervals)."""
    key = ["venue", "year"]
    stages = funnel.pivot_table(index=key, columns="stage", values="count", aggfunc="sum",
                                fill_value=0)
    units = census.units
    on_gh = units["repo"].str.startswith("github.com/").to_numpy(dtype=bool)
    counts = units[key].assign(n=1, gh=on_gh.astype("int64"),
                               **{f: units[f"fw_{f}"].astype("int64")
                                  for f in ("pytorch", "tensorflow", "keras")})
    per_vy = counts.groupby(key, observed=True).sum()
    gh_ids = {(str(v), int(y)): ids.to_numpy() for (v, y), ids in
              units.loc[on_gh, key + ["paper_id"]].groupby(key, observed=True)["paper_id"]}
    prim = census.repos.loc[census.repos["primary"].astype(bool).to_numpy(), key + ["repo"]]
    gh_links = prim["repo"].str.startswith("github.com/").groupby(
        [prim["venue"], prim["year"]], observed=True).sum()
    parts = {(p.venue, p.year): p for p in census.tool_parts}
    rows = []
    for (venue, year), st in stages.iterrows():
        vy = (str(venue), int(year))
        mine = per_vy.loc[vy] if vy in per_vy.index else pd.Series(0, index=per_vy.columns)
        part = parts.get(vy)
        seed = _seed_part(part, list(gh_ids.get(vy, []))) if part else {}
        ours = _ours_part(part) if part else {}
        ours_pt, ours_tf = int(mine["pytorch"]), int(mine["tensorflow"])
        seed_pt, seed_tf = seed.get("pytorch", 0), seed.get("tensorflow", 0)
        values = {
            "accepted": (st.get("accepted", 0), st.get("accepted", 0)),
            "with_code_link": (st.get("with_code_link", 0), st.get("with_code_link", 0)),
            "repos_counted": (int(gh_links.get(vy, 0)), st.get("supported_host", 0)),
            "analysed": (int(mine["gh"]), int(mine["n"])),
            "pytorch": (seed_pt, ours_pt),
            "tensorflow": (seed_tf, ours_tf),
            "keras": (seed.get("keras", 0), int(mine["keras"])),
            "unique_tools": (seed.get("unique_tools", 0), ours.get("unique_tools", 0)),
            "top_tools": (seed.get("top_tools", ""), ours.get("top_tools", "")),
        }
        published = PUBLISHED.get(vy, {})
        for metric, (seed_value, ours_value) in values.items():
            rows.append(_row(*vy, metric, published, seed_value, ours_value))
        s_share, s_low, s_high = _ratio(seed_pt, seed_tf)
        o_share, o_low, o_high = _ratio(ours_pt, ours_tf)
        rows.append(_row(*vy, "pytorch_share_of_pt_tf", published, s_share, o_share)
                    | {"seed_ci_low": s_low, "seed_ci_high": s_high, "ours_ci_low": o_low,
                       "ours_ci_high": o_high})
    order = {metric: i for i, metric in enumerate(NOTES)}
    df = pd.DataFrame(rows, columns=COLUMNS)
    df = df.sort_values(["venue", "year", "metric"], key=lambda c: c.map(order)
                        if c.name == "metric" else c, kind="stable")
    return df.reset_index(drop=True)


def _row(venue: str, year: int, metric: str, published: dict[str, Any], seed_value: Any,
         ours_value: Any) -> dict[str, Any]:
    return {"venue": venue, "year": int(year), "metric": metric,
            "published": published.get(metric, ""), "seed_definition": seed_value,
            "ours": ours_value, "note": NOTES[metric], "seed_ci_low": float("nan"),
            "seed_ci_high": float("nan"), "ours_ci_low": float("nan"),
            "ours_ci_high": float("nan")}
