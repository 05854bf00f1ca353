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
import numpy.typing as npt
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


def _rank(texts: pd.Series, domains: list[tuple[str, list[re.Pattern[str]]]]) -> npt.NDArray[
        np.int64]:
    """Rank (index in ``domains``) of the first domain matching each text; len = no match.

    One regex pass per distinct text, not per row: ``texts`` is categorical or
    turned into one.
    """
    cat = texts if isinstance(texts.dtype, pd.CategoricalDtype) else texts.astype("category")
    ranks = np.array([next((i for i, (_, pats) in enumerate(domains)
                            if any(p.search(str(text)) for p in pats)), len(domains))
                      for text in cat.cat.categories] + [len(domains)], dtype=np.int64)
    out: npt.NDArray[np.int64] = ranks[cat.cat.codes.to_numpy()]  # code -1 (missing): last
    return out


def paper_domains(census: Census, path: str | Path | None = None) -> pd.Series:
    """One research domain per paper (indexed like ``census.papers``)."""
    domains = load_domains(path)
    names = np.array([d[0] for d in domains] + ["other", "unknown"], dtype=object)
    papers, kw = census.papers, census.keywords
    none = len(domains)
    area = papers["primary_area"].fillna("").str.strip().str.lower()
    has_area = (area != "").to_numpy()
    rank = np.where(has_area, _rank(area, domains), none)
    by_kw = np.full(len(papers), none, dtype=np.int64)
    rows = kw["paper_row"].to_numpy()
    np.minimum.at(by_kw, rows, _rank(kw["keyword"], domains))
    rank = np.where(rank < none, rank, by_kw)
    has_kw = np.zeros(len(papers), dtype=bool)
    has_kw[rows] = True
    rank = np.where(has_area | has_kw, rank, none + 1)
    return pd.Series(names[rank], index=papers.index, name="domain")


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
    papers, units = census.papers, census.units
    rows = units["paper_row"].to_numpy()
    found = rows >= 0
    analysed = np.zeros(len(papers), dtype=bool)
    analysed[rows[found]] = True
    df = papers[KEY + ["paper_id", "tier"]].assign(
        analysed=analysed, has_code=(papers["status"] == "has_code_link").to_numpy())
    for f in FRAMEWORKS:
        flag = np.zeros(len(papers), dtype=bool)
        flag[rows[found]] = units[f"fw_{f}"].to_numpy(dtype=bool)[found]
        df[f"fw_{f}"] = flag
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
    domains = authors["domain"].astype("category")
    keys = pd.Categorical([institution(str(d)) for d in domains.cat.categories])
    inst = pd.DataFrame({"paper_row": authors["paper_row"].to_numpy(),
                         "institution": keys.take(domains.cat.codes.to_numpy(), allow_fill=True)})
    inst = inst.drop_duplicates()
    df = paper_frame(census).iloc[inst["paper_row"].to_numpy()].reset_index(drop=True)
    df["institution"] = inst["institution"].to_numpy()
    out = summarise(df, ["institution"])
    out = out.sort_values(["accepted", "institution"], ascending=[False, True])
    return out.reset_index(drop=True)


def pooled(table: pd.DataFrame, group: str) -> pd.DataFrame:
    """Sum a per-venue-year breakdown over venue-years and recompute shares."""
    counts = ["accepted", "with_code_link", "analysed", *FRAMEWORKS]
    out = table.groupby(group)[counts].sum().reset_index()
    return add_shares(out)
