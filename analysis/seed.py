"""The 2020 ICLR study, reproduced with its own definitions next to ours.

The seed study (ICLR 2020: 687 accepted, 344 with code, 268 GitHub repos,
237 parsed; 154 PyTorch, 95 TensorFlow including a manual offset of 12,
23 Keras; PyTorch/(PyTorch+TensorFlow) = 61.8 %) counted with pipreqs names:

- a repository "uses PyTorch" if any tool name contains ``torch`` (so
  ``torchfile``, a Lua-Torch reader, counts), TensorFlow likewise with
  ``tensorflow`` and Keras with ``keras``;
- only GitHub repositories were counted;
- tool names are spelled the pipreqs way (``scikit_learn``).

Ours: the framework families the extractor detected, on every analysed primary
repository (GitHub and GitLab), with PEP 503 names. The table has one row per
(venue, year, metric) with ``published`` (ICLR 2020 only), ``seed_definition``
and ``ours``, and a ``note`` saying why they can differ.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.load import Census, ToolPart

PUBLISHED: dict[tuple[str, int], dict[str, Any]] = {
    ("ICLR", 2020): {"accepted": 687, "with_code_link": 344, "repos_counted": 268,
                     "analysed": 237, "pytorch": 154, "tensorflow": 95,
                     "tensorflow_no_offset": 95 - 12, "keras": 23,
                     "pytorch_share_of_pt_tf": 154 / 249, "unique_tools": 687,
                     "top_tools": "numpy, scipy, matplotlib, pandas, scikit_learn, tqdm, "
                                  "torchvision"},
}
SEED_TF_OFFSET: dict[tuple[str, int], int] = {("ICLR", 2020): 12}
NOTES = {
    "accepted": "same definition",
    "with_code_link": "same definition (papers with a non-empty code link)",
    "repos_counted": "seed: GitHub only; ours: GitHub and GitLab primary links",
    "analysed": "seed: GitHub repos pipreqs parsed; ours: primary repos extracted (all hosts)",
    "pytorch": "seed: any tool name containing 'torch'; ours: PyTorch family detected",
    "tensorflow": "seed: any tool containing 'tensorflow' plus its manual offset "
                  "(12 for ICLR 2020, undocumented); ours: TensorFlow family",
    "tensorflow_no_offset": "seed: any tool containing 'tensorflow', without the offset",
    "keras": "seed: any tool containing 'keras' (incl. tf-keras helpers); ours: Keras family",
    "pytorch_share_of_pt_tf": "pytorch / (pytorch + tensorflow), repos using both count twice",
    "unique_tools": "seed: pipreqs spellings on GitHub repos; ours: PEP 503 names, all repos",
    "top_tools": "seed: pipreqs spelling (underscores); ours: PEP 503 names",
}
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


def _ratio(pt: int, tf: int) -> float:
    return pt / (pt + tf) if pt + tf else float("nan")


def seed_comparison(census: Census, funnel: pd.DataFrame) -> pd.DataFrame:
    """``venue, year, metric, published, seed_definition, ours, note``."""
    stages = funnel.pivot_table(index=["venue", "year"], columns="stage", values="count",
                                aggfunc="sum", fill_value=0)
    repos = census.repos[census.repos["primary"].astype(bool)]
    parts = {(p.venue, p.year): p for p in census.tool_parts}
    rows = []
    for (venue, year), st in stages.iterrows():
        units = census.units[(census.units["venue"] == venue) & (census.units["year"] == year)]
        gh_units = units[units["repo"].str.startswith("github.com/")]
        mine = repos[(repos["venue"] == venue) & (repos["year"] == year)]
        part = parts.get((venue, year))
        seed = _seed_part(part, gh_units["paper_id"].tolist()) if part else {}
        ours = _ours_part(part) if part else {}
        offset = SEED_TF_OFFSET.get((venue, year), 0)
        seed_tf = seed.get("tensorflow", 0) + offset
        ours_pt, ours_tf = int(units["fw_pytorch"].sum()), int(units["fw_tensorflow"].sum())
        values = {
            "accepted": (st.get("accepted", 0), st.get("accepted", 0)),
            "with_code_link": (st.get("with_code_link", 0), st.get("with_code_link", 0)),
            "repos_counted": (int(mine["repo"].str.startswith("github.com/").sum()),
                              st.get("supported_host", 0)),
            "analysed": (len(gh_units), len(units)),
            "pytorch": (seed.get("pytorch", 0), ours_pt),
            "tensorflow": (seed_tf, ours_tf),
            "tensorflow_no_offset": (seed.get("tensorflow", 0), ours_tf),
            "keras": (seed.get("keras", 0), int(units["fw_keras"].sum())),
            "pytorch_share_of_pt_tf": (_ratio(seed.get("pytorch", 0), seed_tf),
                                       _ratio(ours_pt, ours_tf)),
            "unique_tools": (seed.get("unique_tools", 0), ours.get("unique_tools", 0)),
            "top_tools": (seed.get("top_tools", ""), ours.get("top_tools", "")),
        }
        published = PUBLISHED.get((venue, year), {})
        for metric, (seed_value, ours_value) in values.items():
            rows.append({"venue": venue, "year": int(year), "metric": metric,
                         "published": published.get(metric, ""), "seed_definition": seed_value,
                         "ours": ours_value, "note": NOTES[metric]})
    return pd.DataFrame(rows, columns=["venue", "year", "metric", "published",
                                       "seed_definition", "ours", "note"])
