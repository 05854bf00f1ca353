"""Read a crawl's datasets into compact frames for the analysis.

Everything goes through :mod:`crawler.storage`. ``papers`` and ``repos`` (one
row per paper or link) are read whole, keeping only the columns the analysis
needs. ``tools`` (≈25 rows per repository) is read one venue-year partition
at a time and kept dictionary-encoded (two int32 codes per row), so memory
stays near 8 bytes per tool row however many repositories there are.

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

from crawler import storage
from crawler.records import FRAMEWORK_FAMILIES

PAPER_COLS = ["paper_id", "venue", "year", "tier", "status", "link_source", "primary_area",
              "snapshot_date"]
REPO_COLS = ["paper_id", "venue", "year", "repo", "primary", "status", "stage", "snapshot",
             "link_source", "commit_date"]
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
    keywords: pd.DataFrame  # venue, year, paper_id, keyword
    authors: pd.DataFrame  # venue, year, paper_id, domain
    repos: pd.DataFrame  # one row per (paper, link), all statuses
    units: pd.DataFrame  # analysed primary repos + one bool column per framework family
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
    """One row per list element: venue, year, paper_id, ``name`` (lower-cased, stripped)."""
    lists = table[column].combine_chunks()
    parents = pc.list_parent_indices(lists)
    values = pc.utf8_trim_whitespace(pc.utf8_lower(pc.list_flatten(lists)))
    base = table.select(["venue", "year", "paper_id"]).take(parents)
    out = base.append_column(name, values).to_pandas()
    return out[out[name] != ""].reset_index(drop=True)


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
        keywords = pd.DataFrame(columns=["venue", "year", "paper_id", "keyword"])
        authors = pd.DataFrame(columns=["venue", "year", "paper_id", "domain"])
    else:
        papers = papers_t.select(PAPER_COLS).to_pandas()
        keywords = _exploded(papers_t, "keywords", "keyword")
        authors = _exploded(papers_t, "author_domains", "domain")
    if repos_t is None:
        repos = pd.DataFrame({c: pd.Series(dtype=object) for c in REPO_COLS})
        units = repos.assign(**{f"fw_{f}": pd.Series(dtype=bool) for f in FRAMEWORK_FAMILIES})
        return Census(papers, keywords, authors, repos, units, (), 0)
    repos = repos_t.select(REPO_COLS).to_pandas()
    ok = pc.equal(repos_t["status"], "ok")
    unit_t = repos_t.filter(pc.and_(ok, repos_t["primary"]))
    units = unit_t.select(["venue", "year", "paper_id", "repo"]).to_pandas()
    units = units.assign(**framework_flags(unit_t))
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
    folders: dict[tuple[str, int], str] = {}
    for url in storage.list_files(storage.join(in_url, "tools"), options, suffix=".parquet"):
        m = _PART.search(url)
        if m:
            folders[(m.group(1), int(m.group(2)))] = url[: m.end()].rstrip("/")
    want_v = {v.upper() for v in venues} if venues else None
    parts = []
    for (venue, year), folder in sorted(folders.items()):
        if (want_v and venue.upper() not in want_v) or (years and year not in years):
            continue
        mine = units[(units["venue"] == venue) & (units["year"] == year)]
        has_secondary = bool(((secondary["venue"] == venue) & (secondary["year"] == year)).any())
        part = _read_part(folder, options, venue, year, mine, has_secondary)
        if part is not None:
            parts.append(part)
    return tuple(parts)


def _read_part(
    folder: str,
    options: storage.Options | None,
    venue: str,
    year: int,
    units: pd.DataFrame,
    has_secondary: bool,
) -> ToolPart | None:
    """Read one tools partition, keeping only rows of analysed primary repositories."""
    cols = ["paper_id", "repo", "tool"] if has_secondary else ["paper_id", "tool"]
    table = _read(folder, options, cols)
    if table is None or table.num_rows == 0 or units.empty:
        return None
    if has_secondary:
        keys = pc.binary_join_element_wise(table["paper_id"], table["repo"], "\x00")
        wanted = pa.array((units["paper_id"] + "\x00" + units["repo"]).tolist(), pa.string())
        table = table.filter(pc.is_in(keys, value_set=wanted))
    else:
        table = table.filter(pc.is_in(table["paper_id"], value_set=pa.array(units["paper_id"])))
    paper_enc = pc.dictionary_encode(table["paper_id"].combine_chunks())
    tool_enc = pc.dictionary_encode(table["tool"].combine_chunks())
    return ToolPart(
        venue=venue,
        year=year,
        paper_codes=paper_enc.indices.to_numpy().astype(np.int32, copy=False),
        papers=paper_enc.dictionary,
        tool_codes=tool_enc.indices.to_numpy().astype(np.int32, copy=False),
        tools=tool_enc.dictionary.to_pylist(),
    )
