"""Reading one OpenReview note: content values, acceptance, decision and tier.

Works on raw note dicts of both APIs: v1 content values are bare
(``{"title": "x"}``), v2 values are wrapped (``{"title": {"value": "x"}}``); v1
replies have ``invitation`` (a string), v2 replies ``invitations`` (a list).

Acceptance rules (``VenueYear.acceptance``):

* ``reply``: the direct reply whose invitation matches ``decision_invitation``
  (``{number}`` stands for the paper number) holds the decision in
  ``decision_field`` (``decision``, or ``recommendation`` for ICLR 2019
  meta-reviews); accepted when it matches ``accept`` (``^Accept``: ICLR 2018's
  "Invite to Workshop Track" is not an acceptance).
* ``venue``: ``content.venue`` is the decision; accepted when present and not
  matching ``reject`` ("ICLR 2022 Submitted", "Submitted to ICLR 2023"). The v1
  ``venueid`` is ignored: it is also on rejected papers.
* ``listed``: the listing by venueid holds accepted papers only; the decision is
  ``content.venue`` (a value matching ``reject`` is still dropped).

The tier is the first ``VenueYear.tiers`` pattern matching the decision, else
``accept`` (accepted, no tier given: NeurIPS 2022, TMLR).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from crawler.venues import VenueYear


def value(note: dict[str, Any], field: str) -> Any:
    """``note.content[field]``, unwrapped from v2's ``{"value": ...}``; None if absent."""
    raw = (note.get("content") or {}).get(field)
    if isinstance(raw, dict) and "value" in raw:
        return raw["value"]
    return raw


def text(note: dict[str, Any], field: str) -> str:
    """A content value as text (lists joined by spaces); "" if absent."""
    raw = value(note, field)
    if raw is None:
        return ""
    if isinstance(raw, list | tuple):
        return " ".join(str(x) for x in raw)
    return str(raw)


def _invitations(reply: dict[str, Any]) -> list[str]:
    invs = reply.get("invitations") or []
    single = reply.get("invitation")
    return [str(i) for i in ([single] if single else []) + list(invs)]


def reply_decision(note: dict[str, Any], vy: VenueYear) -> str:
    """The decision written in the note's decision reply, "" when it has none."""
    pattern = re.escape(vy.decision_invitation).replace(re.escape("{number}"), r"\d+")
    details = note.get("details") or {}
    for reply in details.get("directReplies") or details.get("replies") or []:
        if any(re.fullmatch(pattern, inv) for inv in _invitations(reply)):
            return text(reply, vy.decision_field).strip()
    return ""


def judge(note: dict[str, Any], vy: VenueYear) -> tuple[bool, str]:
    """``(accepted, raw decision)`` of a submission note under the venue-year's rule."""
    if vy.acceptance == "reply":
        decision = reply_decision(note, vy)
        return bool(decision) and re.search(vy.accept, decision) is not None, decision
    venue = text(note, "venue").strip()
    rejected = bool(venue) and re.search(vy.reject, venue) is not None
    if vy.acceptance == "venue":
        return bool(venue) and not rejected, venue
    return not rejected, venue


def tier(decision: str, vy: VenueYear) -> str:
    """oral / spotlight / poster / accept for an accepted paper's decision string."""
    for name, pattern in vy.tiers:
        if re.search(pattern, decision):
            return name
    return "accept"


def _when(note: dict[str, Any]) -> datetime | None:
    for key in ("pdate", "odate", "cdate", "tcdate"):
        ms = note.get(key)
        if isinstance(ms, int | float) and ms > 0:
            return datetime.fromtimestamp(ms / 1000, tz=UTC)
    return None


def note_year(note: dict[str, Any]) -> int:
    """The year a note was published (``pdate``, else its first known date); 0 if none."""
    when = _when(note)
    return when.year if when else 0


def note_snapshot(note: dict[str, Any]) -> str:
    """End of the publication day of a note, ISO-8601 UTC; "" when unknown."""
    when = _when(note)
    return f"{when.date().isoformat()}T23:59:59Z" if when else ""
