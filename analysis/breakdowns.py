"""Breakdowns of papers by decision tier, research domain and institution.

Each breakdown answers the same questions for every group: how many accepted
papers, how many linked code (share + Wilson interval), how many were
analysed, and how many of those use PyTorch, TensorFlow and JAX (shares of
analysed + Wilson intervals). Tiers and domains are one per paper;
institutions are many per paper (a paper counts once for each institution of
its authors), so institution rows do not sum to the total.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.load import Census
from analysis.stats import share, wilson

KEY = ["venue", "year"]
DOMAINS_YAML = Path(__file__).resolve().parent.parent / "configs" / "domains.yaml"
PERSONAL = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com",
                      "qq.com", "163.com", "126.com", "foxmail.com", "icloud.com", "me.com",
                      "protonmail.com", "proton.me", "live.com", "mail.ru", "yandex.ru"})
_SECOND_LEVEL = frozenset({"ac", "co", "com", "edu", "gov", "net", "org"})
FRAMEWORKS = ("pytorch", "tensorflow", "jax")


def load_domains(path: str | Path | None = None) -> list[tuple[str, list[re.Pattern[str]]]]:
    """The ordered ``(domain, patterns)`` list of ``configs/domains.yaml``."""
    data = yaml.safe_load(Path(path or DOMAINS_YAML).read_text(encoding="utf-8"))
    return [(d["name"], [re.compile(p) for p in d["patterns"]]) for d in data["domains"]]


def _rank(texts: pd.Series, domains: list[tuple[str, list[re.Pattern[str]]]]) -> pd.Series:
    """Rank (index in ``domains``) of the first domain matching each text; len = no match."""
    uniques = pd.unique(texts)
    ranks = {}
    for text in uniques:  # one regex pass per distinct keyword, not per row
        ranks[text] = next((i for i, (_, pats) in enumerate(domains)
                            if any(p.search(text) for p in pats)), len(domains))
    return texts.map(ranks)


def paper_domains(census: Census, path: str | Path | None = None) -> pd.Series:
    """One research domain per paper (indexed like ``census.papers``)."""
    domains = load_domains(path)
    names = [d[0] for d in domains] + ["other"]
    papers = census.papers
    area = papers["primary_area"].fillna("").str.strip().str.lower()
    area_rank = _rank(area, domains).where(area != "", len(domains))
    kw = census.keywords
    kw_rank = _rank(kw["keyword"], domains).groupby(kw["paper_id"]).min() if len(kw) else None
    no_kw = pd.Series(np.nan, papers.index)
    by_kw = papers["paper_id"].map(kw_rank) if kw_rank is not None else no_kw
    rank = area_rank.where(area_rank < len(domains), by_kw).fillna(len(domains)).astype(int)
    labels = pd.Series(np.array(names, dtype=object)[rank.to_numpy()], index=papers.index)
    has_any = (area != "") | papers["paper_id"].isin(kw["paper_id"])
    return labels.where(has_any, "unknown").rename("domain")


def institution(domain: str) -> str:
    """An e-mail domain → an institution key (registrable domain).

    >>> institution("cs.stanford.edu"), institution("cam.ac.uk"), institution("gmail.com")
    ('stanford.edu', 'cam.ac.uk', '(personal e-mail)')
    """
    domain = domain.strip().lower().rstrip(".")
    if domain in PERSONAL:
        return "(personal e-mail)"
    labels = domain.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def paper_frame(census: Census) -> pd.DataFrame:
    """Papers with ``has_code``, ``analysed`` and framework flags of their analysed repo."""
    units = census.units[KEY + ["paper_id"] + [f"fw_{f}" for f in FRAMEWORKS]]
    df = census.papers[KEY + ["paper_id", "tier"]].merge(units, on=KEY + ["paper_id"], how="left",
                                                        indicator=True)
    df["analysed"] = df.pop("_merge") == "both"
    df["has_code"] = (census.papers["status"] == "has_code_link").to_numpy()
    for f in FRAMEWORKS:
        df[f"fw_{f}"] = df[f"fw_{f}"].astype("boolean").fillna(False).astype(bool)
    return df


def summarise(labelled: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts, shares and Wilson intervals per group of ``labelled`` paper rows."""
    cols = {"accepted": ("paper_id", "size"), "with_code_link": ("has_code", "sum"),
            "analysed": ("analysed", "sum")}
    cols.update({f: (f"fw_{f}", "sum") for f in FRAMEWORKS})
    out = labelled.groupby(by, dropna=False).agg(**cols).reset_index()
    return add_shares(out)


def add_shares(out: pd.DataFrame) -> pd.DataFrame:
    """Code share of accepted and framework shares of analysed, with Wilson intervals."""
    pairs = [("code", "with_code_link", "accepted")] + [(f, f, "analysed") for f in FRAMEWORKS]
    for name, k, n in pairs:
        low, high = wilson(out[k].to_numpy(), out[n].to_numpy())
        out[f"{name}_share"] = share(out[k].to_numpy(), out[n].to_numpy())
        out[f"{name}_ci_low"], out[f"{name}_ci_high"] = low, high
    return out


def by_tier(census: Census) -> pd.DataFrame:
    """Per venue-year and decision tier (``""`` shown as ``unknown``)."""
    df = paper_frame(census)
    df["tier"] = df["tier"].fillna("").replace("", "unknown")
    return summarise(df, KEY + ["tier"])


def by_domain(census: Census, path: str | Path | None = None) -> pd.DataFrame:
    """Per venue-year and research domain (one domain per paper)."""
    df = paper_frame(census)
    df["domain"] = paper_domains(census, path).to_numpy()
    return summarise(df, KEY + ["domain"])


def by_institution(census: Census) -> pd.DataFrame:
    """Per institution (from author e-mail domains), pooled over the venue-years."""
    authors = census.authors
    if authors.empty:
        return summarise(paper_frame(census).assign(institution="")[:0], ["institution"])
    inst = authors.assign(institution=authors["domain"].map(institution))
    inst = inst.drop_duplicates(KEY + ["paper_id", "institution"])
    df = paper_frame(census).merge(inst[KEY + ["paper_id", "institution"]], on=KEY + ["paper_id"])
    out = summarise(df, ["institution"])
    out = out.sort_values(["accepted", "institution"], ascending=[False, True])
    return out.reset_index(drop=True)


def pooled(table: pd.DataFrame, group: str) -> pd.DataFrame:
    """Sum a per-venue-year breakdown over venue-years and recompute shares."""
    counts = ["accepted", "with_code_link", "analysed", *FRAMEWORKS]
    out = table.groupby(group)[counts].sum().reset_index()
    return add_shares(out)
