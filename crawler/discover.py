"""Discovery: the accepted papers of catalogue venue-years, with tier and code links.

For each :class:`~crawler.venues.VenueYear` the listings are read through
:class:`~crawler.openreview_api.OpenReviewAPI` (cached, paced, logged in), every
submission note is judged with the venue-year's acceptance rule
(:mod:`crawler.discover_rules`), and each accepted one becomes a
:class:`~crawler.records.Paper`. Duplicates (NeurIPS 2021 lists 297 accepted
papers twice, under two ids with identical content) are merged: same
normalised title and authors → the lowest paper number is kept and the code
links of both are united. ``settings.limit`` keeps the N accepted papers with
the lowest numbers (then ids) per venue-year.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from crawler import discover_rules as rules
from crawler import links
from crawler.errors import DiscoverError
from crawler.openreview_api import OpenReviewAPI
from crawler.records import Paper
from crawler.settings import Settings
from crawler.venues import Listing, VenueYear

log = logging.getLogger(__name__)


def normalise_title(title: str) -> str:
    """Lower-case ASCII words of a title, for matching and de-duplication.

    >>> normalise_title("  Attention Is All You Need! ")
    'attention is all you need'
    """
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _params(listing: Listing) -> dict[str, str]:
    key = "invitation" if listing.kind == "invitation" else "content.venueid"
    params = {key: listing.value}
    if listing.details:
        params["details"] = listing.details
    return params


def _candidates(note: dict[str, Any], vy: VenueYear) -> list[tuple[str, str]]:
    found = []
    for field in vy.code_fields:
        found += [(u, field) for u in links.find_urls(rules.text(note, field))]
    for field in vy.text_fields:
        text = rules.text(note, field)
        found += [(u, field) for u in links.find_urls(text) if links.is_code_host(u)]
    return found


def _author_domains(note: dict[str, Any]) -> tuple[str, ...]:
    ids = rules.value(note, "authorids") or []
    domains = [str(a).rsplit("@", 1)[1].lower() for a in ids if "@" in str(a)]
    return tuple(dict.fromkeys(d for d in domains if d))


def to_paper(note: dict[str, Any], vy: VenueYear, decision: str) -> Paper:
    """The :class:`Paper` of an accepted submission note."""
    code_urls, link_source = links.link_fields(_candidates(note, vy))
    keywords = rules.value(note, "keywords") or []
    if isinstance(keywords, str):
        keywords = [k for k in (x.strip() for x in keywords.split(",")) if k]
    year = rules.note_year(note) if vy.year_from == "pdate" else vy.year
    return Paper(
        paper_id=str(note.get("forum") or note["id"]),
        venue=vy.venue,
        year=year,
        title=" ".join(rules.text(note, "title").split()),
        venue_id=vy.venue_id,
        decision=decision,
        tier=rules.tier(decision, vy),
        code_urls=code_urls,
        link_source=link_source,
        keywords=tuple(str(k).strip() for k in keywords if str(k).strip()),
        primary_area=rules.text(note, "primary_area").strip(),
        author_domains=_author_domains(note),
        snapshot_date=vy.snapshot_date or rules.note_snapshot(note),
    )


def _dedupe(pairs: list[tuple[dict[str, Any], Paper]]) -> list[Paper]:
    """One paper per title and authors (links united), lowest ``_order`` first."""
    kept: dict[tuple[str, ...], Paper] = {}
    for note, paper in sorted(pairs, key=lambda p: _order(p[0])):
        authors = rules.value(note, "authors") or []
        key = (normalise_title(paper.title), *(normalise_title(str(a)) for a in authors))
        if not paper.title or key not in kept:
            kept[key if paper.title else (paper.paper_id,)] = paper
            continue
        first = kept[key]
        kept[key] = links.add_links(first, links.link_pairs(paper))
        log.info("%s: %s duplicates %s", first.venue_id, paper.paper_id, first.paper_id)
    return list(kept.values())


def _order(note: dict[str, Any]) -> tuple[float, str]:
    number = note.get("number")
    return (float(number) if isinstance(number, int) else math.inf, str(note.get("id")))


def discover_one(vy: VenueYear, api: OpenReviewAPI, limit: int = 0) -> list[Paper]:
    """Accepted papers of one venue-year, lowest paper numbers first."""
    notes: dict[str, dict[str, Any]] = {}
    for listing in vy.listings:
        for note in api.list_notes(vy.api, _params(listing)):
            if note.get("forum", note["id"]) == note["id"]:
                notes.setdefault(str(note["id"]), note)
    if not notes:
        raise DiscoverError(
            f"OpenReview listed no submissions for {vy.label} ({vy.venue_id}, API {vy.api}). "
            "Check its api/listings in configs/venues.yaml; if you are not logged in, set "
            "OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD (or OPENREVIEW_TOKEN)."
        )
    pairs = []
    for note in notes.values():
        accepted, decision = rules.judge(note, vy)
        if accepted:
            pairs.append((note, to_paper(note, vy, decision)))
    papers = _dedupe(pairs)
    if vy.year_from == "pdate" and vy.year:
        papers = [p for p in papers if p.year == vy.year]
    log.info("%s: %d submissions listed, %d accepted", vy.label, len(notes), len(papers))
    return papers[:limit] if limit > 0 else papers


def discover(venue_years: Sequence[VenueYear], settings: Settings) -> list[Paper]:
    """Accepted papers of every venue-year, in the given order (see module docstring)."""
    api = OpenReviewAPI(settings)
    papers: list[Paper] = []
    for vy in venue_years:
        papers += discover_one(vy, api, settings.limit)
    return papers
