"""The venue catalogue (``configs/venues.yaml``) and the short forms that name it.

A :class:`VenueYear` says everything discovery needs to read one venue-year:
which API, how submissions are listed, how acceptance and tier are read, which
content fields may hold code, and the conference dates (the last day is the
snapshot date of ``--snapshot publication``). The YAML layers are
``defaults < venues.<V>.defaults < venues.<V>.years.<Y>``; see the file's header.

Spec forms accepted by :func:`resolve` (case-insensitive)::

    iclr2020   iclr:2020   iclr:2018-2024   iclr (every year)   tmlr   tmlr:2023
    ICLR.cc/2020/Conference          (a catalogued venue id)
    NeurIPS.cc/2025/Conference       (any other id: the generic v2 venueid recipe)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from crawler.errors import ConfigError, VenueNotFound
from crawler.settings import CONFIG_DIR

ACCEPTANCE_RULES = ("reply", "venue", "listed")
TIERS = ("oral", "spotlight", "poster", "accept")
_YEAR_KEYS = frozenset({
    "api", "venue_id", "listings", "acceptance", "decision_invitation", "decision_field",
    "accept", "reject", "tiers", "code_fields", "text_fields", "dates", "year_from", "years",
})
DEFAULT_ACCEPT = "^Accept"
DEFAULT_REJECT = r"(?i)\b(submitted|withdrawn|desk[ _-]?rejected|rejected?)\b"
_GENERIC_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)+$")
GENERIC_TIERS = (("oral", r"(?i)\b(oral|talk)"), ("spotlight", "(?i)spotlight"),
                 ("poster", "(?i)poster"))  # tiers of a venue the catalogue does not know


@dataclass(frozen=True, slots=True)
class Listing:
    """One listing request: by ``invitation`` (v1) or by ``venueid`` (v2, accepted only)."""

    kind: str  # "invitation" | "venueid"
    value: str
    details: str = ""  # "directReplies" when acceptance is read from replies


@dataclass(frozen=True, slots=True)
class VenueYear:
    """One venue-year of the catalogue (``year`` 0: a journal, every year)."""

    key: str  # "iclr2020"
    venue: str  # "ICLR"
    year: int
    venue_id: str  # "ICLR.cc/2020/Conference"
    api: str  # "v1" | "v2"
    snapshot_date: str  # ISO-8601 UTC, the conference's last day; "" for a journal
    listings: tuple[Listing, ...] = ()
    acceptance: str = "listed"  # one of ACCEPTANCE_RULES
    decision_invitation: str = ""  # reply rule: invitation of the decision reply ({number})
    decision_field: str = "decision"
    accept: str = DEFAULT_ACCEPT
    reject: str = DEFAULT_REJECT
    tiers: tuple[tuple[str, str], ...] = ()
    code_fields: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()
    year_from: str = "venue"  # "venue" | "pdate"
    start_date: str = ""
    end_date: str = ""
    year_range: tuple[int, int] = (0, 0)  # journals: the years ``<short>:<year>`` accepts
    short: str = ""

    @property
    def label(self) -> str:
        return f"{self.venue} {self.year}" if self.year else self.venue


def _iso(value: Any, where: str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _listing(raw: Any, where: str) -> Listing:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: each listing is a mapping like {{venueid: ...}}")
    details = str(raw.get("details", "") or "")
    for kind in ("invitation", "venueid"):
        if raw.get(kind):
            return Listing(kind=kind, value=str(raw[kind]), details=details)
    raise ConfigError(f"{where}: a listing needs `invitation:` or `venueid:`, got {dict(raw)}")


def _check(vy: VenueYear, where: str) -> VenueYear:
    if vy.api not in ("v1", "v2"):
        raise ConfigError(f"{where}: api must be v1 or v2, not {vy.api!r}")
    if vy.acceptance not in ACCEPTANCE_RULES:
        raise ConfigError(f"{where}: acceptance must be one of {', '.join(ACCEPTANCE_RULES)}")
    if not vy.listings or not vy.venue_id:
        raise ConfigError(f"{where}: venue_id and listings are required")
    if vy.acceptance == "reply" and not (
        vy.decision_invitation and any(x.details for x in vy.listings)
    ):
        raise ConfigError(f"{where}: acceptance 'reply' needs decision_invitation and a "
                          "listing with `details: directReplies`")
    for tier, pattern in vy.tiers:
        if tier not in TIERS:
            raise ConfigError(f"{where}: unknown tier {tier!r}; tiers are {', '.join(TIERS)}")
        _compile(pattern, where)
    _compile(vy.accept, where)
    _compile(vy.reject, where)
    if vy.year_from not in ("venue", "pdate"):
        raise ConfigError(f"{where}: year_from must be venue or pdate")
    return vy


def _compile(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


def _build(venue: str, short: str, year: int, raw: Mapping[str, Any], where: str) -> VenueYear:
    unknown = set(raw) - _YEAR_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(_YEAR_KEYS))}")

    def text(value: Any) -> str:
        return str(value or "").replace("{year}", str(year))

    dates = raw.get("dates") or []
    if dates and len(dates) != 2:
        raise ConfigError(f"{where}: dates must be [first day, last day]")
    start, end = (_iso(d, where) for d in dates) if dates else ("", "")
    years = tuple(int(y) for y in raw.get("years") or (0, 0))
    vy = VenueYear(
        key=f"{short}{year}" if year else short,
        venue=venue,
        year=year,
        venue_id=text(raw.get("venue_id")),
        api=str(raw.get("api", "")),
        snapshot_date=f"{end}T23:59:59Z" if end else "",
        listings=tuple(
            replace(lst, value=text(lst.value))
            for lst in (_listing(x, where) for x in raw.get("listings") or ())
        ),
        acceptance=str(raw.get("acceptance", "")),
        decision_invitation=text(raw.get("decision_invitation")),
        decision_field=str(raw.get("decision_field") or "decision"),
        accept=str(raw.get("accept", DEFAULT_ACCEPT)),
        reject=str(raw.get("reject", DEFAULT_REJECT)),
        tiers=tuple((str(t), str(p)) for t, p in raw.get("tiers") or ()),
        code_fields=tuple(str(f) for f in raw.get("code_fields") or ()),
        text_fields=tuple(str(f) for f in raw.get("text_fields") or ()),
        year_from=str(raw.get("year_from") or "venue"),
        start_date=start,
        end_date=end,
        year_range=(years[0], years[-1]),
        short=short,
    )
    return _check(vy, where)


def load_catalogue(path: str | None = None) -> dict[str, VenueYear]:
    """Every venue-year of the catalogue, by key (``iclr2020``, ``tmlr``), in file order."""
    file = Path(path) if path else CONFIG_DIR / "venues.yaml"
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read venue catalogue {file}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"venue catalogue {file} is not valid YAML: {exc}") from exc
    base = dict(data.get("defaults") or {})
    out: dict[str, VenueYear] = {}
    for venue, spec in (data.get("venues") or {}).items():
        short = str(spec.get("short") or venue).lower()
        layered = {**base, **(spec.get("defaults") or {})}
        if spec.get("journal"):
            vy = _build(str(venue), short, 0, {**layered, **spec["journal"]}, f"{file}: {venue}")
            out[vy.key] = vy
        for year, year_spec in (spec.get("years") or {}).items():
            where = f"{file}: {venue} {year}"
            vy = _build(str(venue), short, int(year), {**layered, **(year_spec or {})}, where)
            out[vy.key] = vy
    return out


def _journal_year(vy: VenueYear, year: int) -> VenueYear:
    low, high = vy.year_range
    if low and not low <= year <= high:
        raise VenueNotFound(f"{vy.venue} has years {low}-{high} in the catalogue, not {year}; "
                            f"widen `years:` of {vy.venue} in configs/venues.yaml")
    return replace(vy, key=f"{vy.short}{year}", year=year)


def _generic(venue_id: str) -> VenueYear:
    """Any uncatalogued OpenReview venue id: the generic v2 recipe (listing by venueid)."""
    year = next((int(p) for p in venue_id.split("/") if re.fullmatch(r"(19|20)\d\d", p)), 0)
    first = venue_id.split("/")[0]
    venue = first[:-3] if first.endswith(".cc") else first
    defaults = VenueYear("", "", 0, "", "v2", "")
    return _check(replace(
        defaults, key=venue_id, venue=venue, year=year, venue_id=venue_id,
        listings=(Listing("venueid", venue_id),), acceptance="listed",
        tiers=GENERIC_TIERS,
        code_fields=("code", "link_to_code"), text_fields=("TL;DR", "TLDR", "abstract"),
        year_from="venue" if year else "pdate",
    ), venue_id)


def _by_short(spec: str, catalogue: Mapping[str, VenueYear]) -> list[VenueYear] | None:
    m = re.fullmatch(r"([a-z][a-z-]*?):?(\d{4})?(?:-(\d{4}))?", spec.lower())
    if not m:
        return None
    short, first, last = m.group(1), m.group(2), m.group(3)
    entries = [vy for vy in catalogue.values() if vy.short == short]
    if not entries:
        return None
    if first is None:
        return entries
    years = range(int(first), int(last or first) + 1)
    journal = next((vy for vy in entries if vy.year == 0), None)
    if journal is not None:
        return [_journal_year(journal, y) for y in years]
    found = {vy.year: vy for vy in entries}
    missing = [y for y in years if y not in found]
    if missing:
        have = ", ".join(str(y) for y in sorted(found))
        raise VenueNotFound(f"{spec}: {entries[0].venue} {', '.join(map(str, missing))} is not in "
                            f"the catalogue (it has {have}); add the year to configs/venues.yaml")
    return [found[y] for y in years]


def _known(catalogue: Mapping[str, VenueYear]) -> str:
    return ", ".join(catalogue)


def resolve(
    specs: Sequence[str], catalogue: Mapping[str, VenueYear] | None = None
) -> list[VenueYear]:
    """Venue-years named by ``specs`` (short forms or venue ids), in order, without repeats."""
    cat = load_catalogue() if catalogue is None else catalogue
    by_id = {vy.venue_id.lower(): vy for vy in cat.values()}
    out: list[VenueYear] = []
    for raw in specs:
        spec = raw.strip()
        if spec.lower() in cat:
            found = [cat[spec.lower()]]
        elif spec.lower() in by_id:
            found = [by_id[spec.lower()]]
        elif "/" in spec and _GENERIC_ID.match(spec):
            found = [_generic(spec)]
        else:
            found = _by_short(spec, cat) or []
        if not found:
            raise VenueNotFound(
                f"unknown venue {raw!r}. Known: {_known(cat)}; also ranges such as iclr:2018-2024, "
                "a whole venue (iclr), or a full OpenReview venue id (ICLR.cc/2020/Conference). "
                "See `toolcensus venues`; add venue-years to configs/venues.yaml."
            )
        out += [vy for vy in found if vy not in out]
    return out


def _describe(vy: VenueYear) -> str:
    rule = {"reply": f"reply {vy.decision_field}", "venue": "content.venue",
            "listed": "listed by venueid"}[vy.acceptance]
    listing = ", ".join(x.value for x in vy.listings)
    dates = f"{vy.start_date}..{vy.end_date}" if vy.end_date else "(per paper)"
    return (f"{vy.key:<11} {vy.api}  {vy.venue_id:<26} {rule:<22} "
            f"code: {','.join(vy.code_fields) or '-':<32} {dates}  [{listing}]")


def format_catalogue(catalogue: Mapping[str, VenueYear] | None = None) -> str:
    """The catalogue as a text table, for ``toolcensus venues``."""
    cat = load_catalogue() if catalogue is None else catalogue
    head = (f"{'key':<11} api {'venue id':<26} {'acceptance':<22} "
            f"{'code fields':<38} {'conference dates':<22} [listing]")
    lines = [head] + [_describe(vy) for vy in cat.values()]
    lines.append("Short forms: iclr2020, iclr:2018-2024, neurips (every year), tmlr:2023; "
                 "or a full OpenReview venue id.")
    return "\n".join(lines)
