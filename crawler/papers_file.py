"""``--papers FILE`` (papers from elsewhere) and ``--links FILE`` (a paper → code table).

Both read CSV, TSV, JSON Lines, JSON (a list of objects) or Parquet from any
storage URL, optionally gzip-compressed (``.csv.gz``, ``.json.gz``); the format
comes from the file name. Column names are matched case-insensitively, with
the aliases of :data:`PAPER_COLUMNS` / :data:`LINK_COLUMNS`.

``--papers``: one row per accepted paper with at least ``venue``, ``year``,
``title``; code links from ``code_url`` (one or several URLs in one cell, or a
list). ``paper_id`` defaults to ``arXiv:<id>`` when an arXiv id is given, else
``<venue><year>-<hash of title>``. The snapshot date is the row's
``snapshot_date``, else the catalogue's date for that venue-year, else "".

``--links``: the shape of Papers with Code's ``links-between-papers-and-code``
dump (``paper_title``, ``paper_arxiv_id``, ``paper_url_abs``, ``repo_url``,
``is_official``, ...). Rows marked ``is_official = false`` are community
re-implementations, not the authors' code, and are skipped. A paper is matched
by OpenReview id (an ``openreview_id`` column or an ``openreview.net/forum?id=``
URL), else by arXiv id (a paper whose ``paper_id`` is ``arXiv:<id>``), else by
normalised title; matched links are added with source ``links-file``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterable
from typing import Any

import pyarrow.parquet as pq

from crawler import discover_rules, links, storage
from crawler.discover import normalise_title
from crawler.errors import ConfigError, CrawlError
from crawler.records import Paper
from crawler.settings import Settings
from crawler.venues import GENERIC_TIERS, TIERS, VenueYear, load_catalogue

PAPER_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title"),
    "venue": ("venue", "conference"),
    "year": ("year",),
    "code": ("code_url", "code_urls", "repo_url", "code", "github", "repository", "url"),
    "paper_id": ("paper_id", "openreview_id", "id"),
    "arxiv": ("arxiv_id", "paper_arxiv_id", "arxiv"),
    "decision": ("decision",),
    "tier": ("tier",),
    "keywords": ("keywords",),
    "primary_area": ("primary_area",),
    "venue_id": ("venue_id",),
    "snapshot_date": ("snapshot_date",),
}
LINK_COLUMNS: dict[str, tuple[str, ...]] = {
    "repo": ("repo_url", "code_url", "repository", "url"),
    "title": ("paper_title", "title"),
    "arxiv": ("paper_arxiv_id", "arxiv_id", "arxiv"),
    "openreview": ("openreview_id", "paper_id"),
    "official": ("is_official",),
}
_OPENREVIEW_URL = re.compile(r"openreview\.net/(?:forum|pdf)\?id=([\w-]+)")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([\w.\-/]+?)(?:v\d+)?(?:\.pdf)?$")
_GENERIC = VenueYear("", "", 0, "", "v2", "", tiers=GENERIC_TIERS)


def _parse(name: str, data: bytes) -> list[dict[str, Any]]:
    if name.endswith(".gz"):
        data, name = gzip.decompress(data), name[:-3]
    if name.endswith(".parquet"):
        return [dict(r) for r in pq.read_table(io.BytesIO(data)).to_pylist()]
    text = data.decode("utf-8-sig")
    if name.endswith((".csv", ".tsv")):
        return list(csv.DictReader(io.StringIO(text), delimiter="\t" if name.endswith(".tsv")
                                   else ","))
    if name.endswith((".jsonl", ".ndjson")):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if name.endswith(".json"):
        obj = json.loads(text)
        rows = obj.get("papers", obj.get("data")) if isinstance(obj, dict) else obj
        return [dict(r) for r in rows or []]
    raise ConfigError(f"{name}: unknown format; use .csv, .tsv, .jsonl, .json or .parquet "
                      "(optionally .gz)")


def read_rows(url: str, settings: Settings) -> list[dict[str, Any]]:
    """The rows of a table file, keys lower-cased."""
    try:
        with storage.open_url(url, "rb", settings.storage_options) as fh:
            data = fh.read()
        rows = _parse(url.split("?")[0].lower(), data)
    except CrawlError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot read {url}: {exc}") from exc
    return [{str(k).strip().lower(): v for k, v in row.items()} for row in rows]


def _get(row: dict[str, Any], aliases: Iterable[str]) -> Any:
    for alias in aliases:
        value = row.get(alias)
        if value is not None and value == value and str(value).strip() != "":  # NaN != NaN
            return value
    return None


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except ValueError:
            pass
    return [text]


def _arxiv(value: Any) -> str:
    text = str(value or "").strip()
    m = _ARXIV_URL.search(text)
    text = m.group(1) if m else re.sub(r"(?i)^arxiv:", "", text)
    return re.sub(r"v\d+$", "", text)


def _snapshot(venue: str, year: int, catalogue: dict[str, VenueYear]) -> tuple[str, str]:
    for vy in catalogue.values():
        if vy.venue.lower() == venue.lower() and vy.year == year:
            return vy.snapshot_date, vy.venue_id
    return "", ""


def _paper(row: dict[str, Any], n: int, url: str, catalogue: dict[str, VenueYear]) -> Paper:
    got = {key: _get(row, aliases) for key, aliases in PAPER_COLUMNS.items()}
    missing = [k for k in ("title", "venue", "year") if got[k] is None]
    if missing:
        raise ConfigError(f"{url}, row {n}: missing {', '.join(missing)}; a papers file needs "
                          "columns venue, year, title (and code_url for links)")
    try:
        year = int(float(str(got["year"])))
    except ValueError as exc:
        raise ConfigError(f"{url}, row {n}: year {got['year']!r} is not a number") from exc
    venue, title = str(got["venue"]).strip(), " ".join(str(got["title"]).split())
    arxiv = _arxiv(got["arxiv"]) if got["arxiv"] else ""
    digest = hashlib.sha1(normalise_title(title).encode()).hexdigest()[:10]
    paper_id = str(got["paper_id"] or (f"arXiv:{arxiv}" if arxiv else
                                       f"{venue.lower()}{year}-{digest}"))
    urls = [u for cell in _strings(got["code"]) for u in links.find_urls(cell)]
    code_urls, link_source = links.link_fields((u, "papers-file") for u in urls)
    decision = str(got["decision"] or "")
    tier = str(got["tier"] or "").strip().lower()
    if tier not in TIERS:
        tier = discover_rules.tier(tier or decision, _GENERIC) if (tier or decision) else ""
    snapshot, venue_id = _snapshot(venue, year, catalogue)
    return Paper(
        paper_id=paper_id, venue=venue, year=year, title=title,
        venue_id=str(got["venue_id"] or venue_id), decision=decision, tier=tier,
        code_urls=code_urls,
        link_source=link_source,
        keywords=tuple(k.strip() for cell in _strings(got["keywords"])
                       for k in cell.split(",") if k.strip()),
        primary_area=str(got["primary_area"] or ""),
        snapshot_date=str(got["snapshot_date"] or snapshot),
    )


def read_papers_file(url: str, settings: Settings) -> list[Paper]:
    """Papers listed in a ``--papers`` file (see the module docstring)."""
    catalogue = load_catalogue()
    return [_paper(row, n, url, catalogue) for n, row in enumerate(read_rows(url, settings), 1)]


def _official(row: dict[str, Any]) -> bool:
    flag = _get(row, LINK_COLUMNS["official"])
    return flag is None or str(flag).strip().lower() not in ("false", "0", "no", "f")


def _index(rows: list[dict[str, Any]]) -> dict[str, dict[str, list[str]]]:
    index: dict[str, dict[str, list[str]]] = {"openreview": {}, "arxiv": {}, "title": {}}
    for row in rows:
        repo = _get(row, LINK_COLUMNS["repo"])
        urls = links.find_urls(str(repo or ""))
        if not urls or not _official(row):
            continue
        keys = {"title": normalise_title(str(_get(row, LINK_COLUMNS["title"]) or "")),
                "arxiv": _arxiv(_get(row, LINK_COLUMNS["arxiv"]) or row.get("paper_url_abs")),
                "openreview": str(_get(row, LINK_COLUMNS["openreview"]) or "")}
        for value in row.values():
            m = _OPENREVIEW_URL.search(str(value))
            if m:
                keys["openreview"] = m.group(1)
        for kind, key in keys.items():
            if key:
                index[kind].setdefault(key, []).extend(urls)
    return index


def _match(paper: Paper, index: dict[str, dict[str, list[str]]]) -> list[str]:
    arxiv = _arxiv(paper.paper_id) if paper.paper_id.lower().startswith("arxiv:") else ""
    for kind, key in (("openreview", paper.paper_id), ("arxiv", arxiv),
                      ("title", normalise_title(paper.title))):
        if key and key in index[kind]:
            return index[kind][key]
    return []


def apply_links_file(papers: list[Paper], url: str, settings: Settings) -> list[Paper]:
    """``papers`` with the links of a ``--links`` file added (source ``links-file``)."""
    index = _index(read_rows(url, settings))
    out = []
    for paper in papers:
        extra = _match(paper, index)
        out.append(links.add_links(paper, [(u, "links-file") for u in extra]) if extra else paper)
    return out
