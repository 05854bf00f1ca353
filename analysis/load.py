"""Read a crawl's datasets into compact frames for the analysis.

Everything goes through :mod:`crawler.storage`. ``papers`` and ``repos`` (one
row per paper or link) are read whole, keeping only the columns the analysis
needs. ``tools`` (≈25 rows per repository) is read one venue-year partition
at a time, decoded straight into dictionary arrays (Parquet stores these
columns dictionary-encoded, so no string is materialised per row), filtered
on the small dictionary of paper ids rather than per row, and kept as two
int32 codes per row: memory stays near 8 bytes per tool row however many
repositories there are.

Papers are referred to by their row in ``Census.papers`` (``paper_row`` in
``units``, ``keywords`` and ``authors``), so breakdowns join on integers.

The unit of analysis is the *analysed primary repository*: the one code link
chosen per paper, fetched and extracted (``status == "ok"``). Secondary links
that were analysed too are counted in ``Census.secondary_ok`` but left out of
shares, so that every paper counts once and denominators match the funnel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crawler import storage
from crawler.records import FRAMEWORK_FAMILIES

PAPER_COLS = ["paper_id", "venue", "year", "tier", "status", "link_source", "primary_area",
              "snapshot_date"]
REPO_COLS = ["paper_id", "venue", "year", "repo", "primary", "status", "stage", "snapshot",
             "link_source", "commit_date"]
CATEGORICAL = frozenset({"venue", "tier", "status", "link_source", "primary_area", "stage",
                         "snapshot", "snapshot_date"})
_PART = re.compile(r"venue=([^/]+)/year=(\d+)/")
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class ToolPart:
    """The tools of one venue-year, dictionary-encoded: row i is (papers[p[i]], tools[t[i]])."""

    venue: str
    year: int
    paper_codes: IntArray
    papers: pa.Array  # string dictionary of paper ids
    tool_codes: IntArray
    tools: list[str]  # string dictionary of tool names


@dataclass(frozen=True)
class Census:
    """What the analysis reads: papers, links, analysed units and their tools."""

    papers: pd.DataFrame  # one row per accepted paper
    keywords: pd.DataFrame  # paper_row, keyword (categorical, lower-cased)
    authors: pd.DataFrame  # paper_row, domain (categorical, lower-cased)
    repos: pd.DataFrame  # one row per (paper, link), all statuses
    units: pd.DataFrame  # analysed primary repos: paper_row, …, one bool column per family
    tool_parts: tuple[ToolPart, ...]
    secondary_ok: int  # analysed non-primary links, excluded from shares


def _filter(table: pa.Table, venues: Sequence[str] | None, years: Sequence[int] | None) -> pa.Table:
    mask = None
    if venues:
        wanted = pa.array(sorted({v.upper() for v in venues}))
        mask = pc.is_in(pc.utf8_upper(table["venue"]), value_set=wanted)
    if years:
        ymask = pc.is_in(table["year"], value_set=pa.array(sorted(set(years)), pa.int64()))
        mask = ymask if mask is None else pc.and_(mask, ymask)
    return table if mask is None else table.filter(mask)


def _exploded(table: pa.Table, column: str, name: str) -> pd.DataFrame:
    """One row per non-empty list element: ``paper_row`` and ``name`` (lower-cased, stripped,
    categorical)."""
    lists = table[column].combine_chunks()
    parents = pc.list_parent_indices(lists)
    values = pc.utf8_trim_whitespace(pc.utf8_lower(pc.list_flatten(lists)))
    keep = pc.not_equal(values, "")
    return pa.table({"paper_row": parents.filter(keep).cast(pa.int64()),
                     name: pc.dictionary_encode(values.filter(keep))}).to_pandas()


def _frame(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``table`` as a frame; low-cardinality strings become categoricals, so
    that filters and group-bys over a million rows work on integer codes."""
    cols = {c: pc.dictionary_encode(table[c]) if c in CATEGORICAL else table[c] for c in columns}
    df = pa.table(cols).to_pandas()
    for c in CATEGORICAL.intersection(columns):  # categories in sorted order, like strings
        df[c] = df[c].cat.reorder_categories(sorted(df[c].cat.categories))
    return df


def _paper_rows(papers: pa.Table | None, units: pa.Table) -> npt.NDArray[np.int64]:
    """For each row of ``units``, its row in ``papers`` (-1 when the paper is missing)."""
    out = np.full(units.num_rows, -1, dtype=np.int64)
    if papers is None or units.num_rows == 0:
        return out
    key = ["venue", "year", "paper_id"]
    left = units.select(key).append_column("_u", pa.array(np.arange(units.num_rows)))
    right = papers.select(key).append_column("_p", pa.array(np.arange(papers.num_rows)))
    joined = left.join(right, keys=key, join_type="inner")
    out[joined["_u"].to_numpy()] = joined["_p"].to_numpy()
    return out


def _read(url: str, options: storage.Options | None, columns: list[str]) -> pa.Table | None:
    return storage.read_dataset(url, options, columns=columns)


def framework_flags(table: pa.Table) -> dict[str, npt.NDArray[np.bool_]]:
    """``fw_<family>`` boolean columns from the ``frameworks`` list column."""
    lists = table["frameworks"].combine_chunks()
    parents = pc.list_parent_indices(lists).to_numpy()
    flat = pc.list_flatten(lists).to_numpy(zero_copy_only=False)
    flags = {}
    for family in FRAMEWORK_FAMILIES:
        col = np.zeros(table.num_rows, dtype=bool)
        col[parents[flat == family]] = True
        flags[f"fw_{family}"] = col
    return flags


def load_census(
    in_url: str,
    options: storage.Options | None = None,
    venues: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    with_tools: bool = True,
) -> Census:
    """Read the datasets under ``in_url`` (optionally filtered) into a :class:`Census`.

    ``with_tools=False`` skips the (large) tools dataset, e.g. for the funnel.
    """
    papers_t = _read(storage.join(in_url, "papers"), options,
                     PAPER_COLS + ["keywords", "author_domains"])
    repos_t = _read(storage.join(in_url, "repos"), options, REPO_COLS + ["frameworks"])
    papers_t = _filter(papers_t, venues, years) if papers_t is not None else None
    repos_t = _filter(repos_t, venues, years) if repos_t is not None else None
    if papers_t is None:
        papers = pd.DataFrame({c: pd.Series(dtype=object) for c in PAPER_COLS})
        keywords = pd.DataFrame({"paper_row": pd.Series(dtype="int64"),
                                 "keyword": pd.Series(dtype="category")})
        authors = pd.DataFrame({"paper_row": pd.Series(dtype="int64"),
                                "domain": pd.Series(dtype="category")})
    else:
        papers = _frame(papers_t, PAPER_COLS)
        keywords = _exploded(papers_t, "keywords", "keyword")
        authors = _exploded(papers_t, "author_domains", "domain")
    if repos_t is None:
        repos = pd.DataFrame({c: pd.Series(dtype=object) for c in REPO_COLS})
        units = repos.assign(paper_row=pd.Series(dtype="int64"),
                             **{f"fw_{f}": pd.Series(dtype=bool) for f in FRAMEWORK_FAMILIES})
        return Census(papers, keywords, authors, repos, units, (), 0)
    repos = _frame(repos_t, REPO_COLS)
    ok = pc.equal(repos_t["status"], "ok")
    unit_t = repos_t.filter(pc.and_(ok, repos_t["primary"]))
    units = _frame(unit_t, ["venue", "year", "paper_id", "repo"])
    units = units.assign(paper_row=_paper_rows(papers_t, unit_t), **framework_flags(unit_t))
    secondary = repos[(repos["status"] == "ok") & ~repos["primary"].astype(bool)]
    parts = _tool_parts(in_url, options, units, secondary, venues, years) if with_tools else ()
    return Census(papers, keywords, authors, repos, units, parts, len(secondary))


def _tool_parts(
    in_url: str,
    options: storage.Options | None,
    units: pd.DataFrame,
    secondary: pd.DataFrame,
    venues: Sequence[str] | None,
    years: Sequence[int] | None,
) -> tuple[ToolPart, ...]:
    files: dict[tuple[str, int], list[str]] = {}
    for url in storage.list_files(storage.join(in_url, "tools"), options, suffix=".parquet"):
        m = _PART.search(url)
        if m:
            files.setdefault((m.group(1), int(m.group(2))), []).append(url)
    want_v = {v.upper() for v in venues} if venues else None
    by_vy = dict(list(units.groupby(["venue", "year"])[["paper_id", "repo"]]))
    with_secondary = set(map(tuple, secondary[["venue", "year"]].drop_duplicates().to_numpy()))
    parts = []
    for (venue, year), urls in sorted(files.items()):
        if (want_v and venue.upper() not in want_v) or (years and year not in years):
            continue
        mine = by_vy.get((venue, year))
        if mine is None:
            continue
        part = _read_part(urls, options, venue, year, mine, (venue, year) in with_secondary)
        if part is not None:
            parts.append(part)
    return tuple(parts)


def _read_part(
    urls: list[str],
    options: storage.Options | None,
    venue: str,
    year: int,
    units: pd.DataFrame,
    has_secondary: bool,
) -> ToolPart | None:
    """Read one tools partition, keeping only rows of analysed primary repositories."""
    cols = ["paper_id", "repo", "tool"] if has_secondary else ["paper_id", "tool"]
    tables = []
    for url in urls:
        with storage.open_url(url, "rb", options) as fh:
            tables.append(pq.read_table(fh, columns=cols, read_dictionary=cols))
    table = pa.concat_tables(tables).unify_dictionaries().combine_chunks()
    if table.num_rows == 0:
        return None
    paper = table["paper_id"].chunk(0)
    if has_secondary:  # the row's repo must be the paper's analysed primary repo
        primary = pd.Series(units["repo"].to_numpy(), index=units["paper_id"].to_numpy())
        primary = primary[~primary.index.duplicated()]
        wanted = pa.array(primary.reindex(paper.dictionary.to_pandas()).to_numpy(),
                          pa.string())
        repo = table["repo"].chunk(0)
        code = pc.index_in(wanted, value_set=repo.dictionary).fill_null(-2).to_numpy()
        keep = code[paper.indices.to_numpy()] == repo.indices.to_numpy()
    else:
        unit = pc.is_in(paper.dictionary, value_set=pa.array(units["paper_id"].to_numpy(),
                                                             pa.string()))
        keep = unit.to_numpy(zero_copy_only=False)[paper.indices.to_numpy()]
    if not keep.any():
        return None
    tool = table["tool"].chunk(0)
    paper_codes, papers = _compact(paper.indices.to_numpy()[keep], paper.dictionary)
    tool_codes, tools = _compact(tool.indices.to_numpy()[keep], tool.dictionary)
    return ToolPart(venue=venue, year=year, paper_codes=paper_codes, papers=papers,
                    tool_codes=tool_codes, tools=tools.to_pylist())


def _compact(codes: npt.NDArray[np.integer], dictionary: pa.Array) -> tuple[IntArray, pa.Array]:
    """Re-number ``codes`` so that the dictionary holds only the values in use."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(dictionary)))
    remap = np.full(len(dictionary), -1, dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return remap[codes], dictionary.take(pa.array(used))
