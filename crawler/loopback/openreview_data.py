"""Builders of recorded-shape OpenReview notes, and the demo's recordings.

Notes have the keys and value shapes of the real APIs (see the project's
OpenReview notes, §1 and §3): v1 content values are bare and a note has one
``invitation``; v2 values are wrapped in ``{"value": ...}`` and a note has
``invitations`` and ``domain``. Replies (decisions, meta-reviews) are notes
with ``replyto`` = the submission id; the replay server attaches them as
``details.directReplies`` when asked. Ids, invitations, venue and decision
strings follow the real ones; titles and abstracts are invented.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from crawler.demo.papers import DEMO_PAPERS, DemoPaper

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
# 2019-09-25 (ICLR 2020 submission deadline), in ms: a base for synthetic dates
_T0 = 1569439242282
DAY_MS = 86_400_000


@dataclass
class Recordings:
    """What a replay server serves: raw notes per API and v2 groups."""

    v1: list[dict[str, Any]] = field(default_factory=list)
    v2: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __add__(self, other: Recordings) -> Recordings:
        return Recordings(self.v1 + other.v1, self.v2 + other.v2, {**self.groups, **other.groups})


def make_id(seed: str) -> str:
    """A deterministic 10-character OpenReview-like note id (``BkgzMCVtPB``)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_ALPHABET[b % 62] for b in digest[:10])


def v1_note(
    *, id: str, number: int | None, invitation: str, content: dict[str, Any],
    forum: str | None = None, replyto: str | None = None, signatures: tuple[str, ...] = (),
    pdate: int | None = None, cdate: int = _T0,
) -> dict[str, Any]:
    """A v1 note (bare content values, one ``invitation``)."""
    return {
        "id": id, "original": None, "number": number, "cdate": cdate, "ddate": None,
        "tcdate": cdate, "tmdate": cdate + DAY_MS, "tddate": None, "forum": forum or id,
        "replyto": replyto, "invitation": invitation, "content": content,
        "signatures": list(signatures), "readers": ["everyone"], "nonreaders": [],
        "writers": list(signatures), "pdate": pdate, "odate": cdate + 1000,
    }


def v1_submission(
    org: str, number: int, content: dict[str, Any], *, seed: str = "",
    invitation: str = "", pdate: int | None = None,
) -> dict[str, Any]:
    """A v1 ``<org>/-/Blind_Submission`` note (``org`` like ``ICLR.cc/2020/Conference``)."""
    full = {"authors": ["Anonymous"], "authorids": [], "keywords": [], "abstract": "",
            "pdf": f"/pdf/{make_id(seed + 'pdf')}.pdf", "paperhash": "anonymous|x", **content}
    return v1_note(id=make_id(seed or f"{org}/{number}"), number=number,
                   invitation=invitation or f"{org}/-/Blind_Submission", content=full,
                   signatures=(org,), pdate=pdate)


def v1_reply(forum: str, invitation: str, content: dict[str, Any], signer: str) -> dict[str, Any]:
    """A v1 reply to a submission (decision, meta-review, official review)."""
    return v1_note(id=make_id(f"{forum}/{invitation}"), number=None, invitation=invitation,
                   content=content, forum=forum, replyto=forum, signatures=(signer,),
                   cdate=_T0 + 90 * DAY_MS)


def v2_note(
    *, domain: str, number: int, content: dict[str, Any], seed: str = "",
    invitations: tuple[str, ...] = (), pdate: int | None = _T0 + 120 * DAY_MS,
    venueid: str | None = None,
) -> dict[str, Any]:
    """A v2 submission note; ``content`` values are given bare and wrapped here."""
    note_id = make_id(seed or f"{domain}/{number}")
    full = {"title": "", "authors": ["Anonymous"], "authorids": ["~Anonymous1"],
            "keywords": [], "abstract": "", "venueid": venueid or domain,
            "pdf": f"/pdf/{make_id(note_id + 'pdf')}.pdf", **content}
    invs = invitations or (f"{domain}/-/Submission", f"{domain}/-/Post_Submission",
                           f"{domain}/Submission{number}/-/Camera_Ready_Revision")
    return {
        "id": note_id, "forum": note_id, "number": number, "domain": domain,
        "invitations": list(invs), "content": {k: {"value": v} for k, v in full.items()},
        "signatures": [f"{domain}/Submission{number}/Authors"], "readers": ["everyone"],
        "writers": [domain, f"{domain}/Submission{number}/Authors"],
        "cdate": _T0, "tcdate": _T0, "mdate": _T0 + DAY_MS, "tmdate": _T0 + DAY_MS,
        "odate": _T0 + 10 * DAY_MS, "pdate": pdate, "version": 2,
    }


def conference_group(venue_id: str) -> dict[str, Any]:
    """A v2 conference group as ``GET /groups?id=`` returns it."""
    content = {
        "submission_venue_id": f"{venue_id}/Submission",
        "rejected_venue_id": f"{venue_id}/Rejected_Submission",
        "withdrawn_venue_id": f"{venue_id}/Withdrawn_Submission",
        "desk_rejected_venue_id": f"{venue_id}/Desk_Rejected_Submission",
        "decision_name": "Decision",
    }
    return {"id": venue_id, "content": {k: {"value": v} for k, v in content.items()},
            "readers": ["everyone"], "writers": [venue_id], "signatures": ["~Super_User1"],
            "signatories": [venue_id], "members": [], "domain": venue_id}


def _demo_content(p: DemoPaper) -> dict[str, Any]:
    return {"title": p.title, "keywords": list(p.keywords), "abstract": p.abstract,
            "authors": [f"Author {p.number}"], "authorids": [f"author{p.number}@demo.example"]}


def _demo_iclr2020(papers: list[DemoPaper]) -> Recordings:
    org = "ICLR.cc/2020/Conference"
    notes = []
    for p in papers:
        content = _demo_content(p)
        if p.code is not None:
            content["code"] = p.code
        sub = v1_submission(org, p.number, content, seed=f"demo-{p.venue_key}-{p.number}")
        notes.append(sub)
        notes.append(v1_reply(sub["id"], f"{org}/Paper{p.number}/-/Decision",
                              {"title": "Paper Decision", "decision": p.decision,
                               "comment": "Synthetic."}, f"{org}/Program_Chairs"))
    return Recordings(v1=notes)


def _demo_iclr2022(papers: list[DemoPaper]) -> Recordings:
    org = "ICLR.cc/2022/Conference"
    notes = []
    for p in papers:
        content = _demo_content(p)
        if p.code:  # ICLR 2022 has no code field: authors put the link in the abstract
            content["abstract"] = f"{p.abstract} Code: {p.code}"
        # the bare venueid is on rejected papers too; only `venue` tells them apart
        content.update({"venue": p.decision, "venueid": org})
        notes.append(v1_submission(org, p.number, content, seed=f"demo-{p.venue_key}-{p.number}"))
    return Recordings(v1=notes)


def _demo_iclr2024(papers: list[DemoPaper]) -> Recordings:
    org = "ICLR.cc/2024/Conference"
    notes = []
    for p in papers:
        accepted = p.decision.startswith("ICLR 2024")
        content = {**_demo_content(p), "primary_area": p.primary_area,
                   "venue": p.decision if accepted else "Submitted to ICLR 2024",
                   "authorids": [f"~Author{p.number}1"]}
        if p.code is not None:
            content["code"] = p.code
        notes.append(v2_note(domain=org, number=p.number, content=content,
                             seed=f"demo-{p.venue_key}-{p.number}",
                             venueid=org if accepted else f"{org}/Rejected_Submission"))
    return Recordings(v2=notes, groups={org: conference_group(org)})


def demo_recordings() -> Recordings:
    """Recordings of the three demo venue-years (iclr2020 v1 replies, iclr2022 v1
    ``content.venue``, iclr2024 v2), built from ``crawler.demo.papers.DEMO_PAPERS``."""
    by_key: dict[str, list[DemoPaper]] = {}
    for p in DEMO_PAPERS:
        by_key.setdefault(p.venue_key, []).append(p)
    return (_demo_iclr2020(by_key.get("iclr2020", []))
            + _demo_iclr2022(by_key.get("iclr2022", []))
            + _demo_iclr2024(by_key.get("iclr2024", [])))
