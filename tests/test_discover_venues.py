"""Discovery of every catalogue pattern with the real openreview-py clients.

Each venue-year gets recorded-shape notes written here with the literal
invitations, venue and decision strings documented for it (not derived from
the catalogue, so a wrong catalogue entry fails), and exact expected counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.discover import discover
from crawler.loopback.openreview_data import (
    Recordings,
    v1_reply,
    v1_submission,
    v2_note,
)
from crawler.loopback.openreview_server import OpenReviewReplay
from crawler.records import Paper
from crawler.settings import Settings
from crawler.venues import resolve

GH = "https://github.com/lab/"


@pytest.fixture(autouse=True)
def _no_login_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD", "OPENREVIEW_TOKEN"):
        monkeypatch.delenv(var, raising=False)


def run(recordings: Recordings, specs: list[str], tmp_path: Path, **kw: Any) -> list[Paper]:
    with OpenReviewReplay(recordings) as srv:
        settings = Settings(out=str(tmp_path / "out"), openreview_baseurl=srv.url_v1,
                            openreview_baseurl_v2=srv.url_v2, openreview_pace=0, **kw)
        return discover(resolve(specs), settings)


def tiers(papers: list[Paper]) -> dict[str, int]:
    return dict(Counter(p.tier for p in papers))


def by_title(papers: list[Paper]) -> dict[str, Paper]:
    return {p.title: p for p in papers}


# -- ICLR 2018-2020: decisions in direct replies ---------------------------------------------

def _with_reply(org: str, n: int, content: dict[str, Any], inv: str, reply: dict[str, Any],
                signer: str) -> Iterator[dict[str, Any]]:
    sub = v1_submission(org, n, content)
    yield sub
    if reply:
        yield v1_reply(sub["id"], inv.format(n=n), reply, signer)
    yield v1_reply(sub["id"], f"{org}/-/Paper{n}/Official_Review",
                   {"rating": "6: Marginally above", "review": "ok"}, f"{org}/AnonReviewer1")


def iclr2018() -> Recordings:
    org = "ICLR.cc/2018/Conference"
    rows = [(1, "Accept (Oral)", "Code at https://github.com/lab/oral18."),
            (2, "Accept (Poster)", ""), (3, "Accept (Poster)", ""),
            (4, "Invite to Workshop Track", ""), (5, "Reject", ""), (6, "", "")]
    notes: list[dict[str, Any]] = []
    for n, decision, abstract in rows:
        content = {"title": f"ICLR18 paper {n}", "abstract": abstract,
                   "community_implementations": "[3 code implementations](https://www.catalyzex"
                   ".com/paper/x/code) https://github.com/someone/reimpl"}
        reply = {"title": "ICLR 2018 Conference Acceptance Decision", "decision": decision}
        notes += _with_reply(org, n, content, f"{org}/-/Acceptance_Decision",
                             reply if decision else {}, f"{org}/Program_Chairs")
    return Recordings(v1=notes)


def test_iclr2018_acceptance_decision_replies(tmp_path: Path) -> None:
    papers = run(iclr2018(), ["iclr2018"], tmp_path)
    assert [p.title for p in papers] == ["ICLR18 paper 1", "ICLR18 paper 2", "ICLR18 paper 3"]
    assert tiers(papers) == {"oral": 1, "poster": 2}
    # community_implementations is third-party code, never a link of the paper
    assert [p.code_urls for p in papers] == [(GH + "oral18",), (), ()]
    assert papers[0].link_source == "abstract"
    assert {p.snapshot_date for p in papers} == {"2018-05-03T23:59:59Z"}


def iclr2019() -> Recordings:
    org = "ICLR.cc/2019/Conference"
    rows = [(10, "Accept (Oral)"), (11, "Accept (Poster)"), (12, "Reject"), (13, "Accept (Poster)")]
    notes: list[dict[str, Any]] = []
    for n, rec in rows:
        notes += _with_reply(org, n, {"title": f"ICLR19 paper {n}"},
                             org + "/-/Paper{n}/Meta_Review",
                             {"metareview": "fine", "recommendation": rec, "confidence": "4"},
                             f"{org}/Paper{n}/Area_Chair1")
        # a comment that says "Accept" is not the decision
        notes.append(v1_reply(notes[-3]["id"], f"{org}/-/Paper{n}/Official_Comment",
                              {"comment": "x", "recommendation": "Accept (Oral)"}, "~Someone1"))
    return Recordings(v1=notes)


def test_iclr2019_meta_review_recommendation(tmp_path: Path) -> None:
    papers = run(iclr2019(), ["iclr:2019"], tmp_path)
    assert [p.title for p in papers] == ["ICLR19 paper 10", "ICLR19 paper 11", "ICLR19 paper 13"]
    assert [p.decision for p in papers] == ["Accept (Oral)", "Accept (Poster)", "Accept (Poster)"]
    assert tiers(papers) == {"oral": 1, "poster": 2}


def iclr2020() -> Recordings:
    org = "ICLR.cc/2020/Conference"
    rows = [
        (1, "Accept (Talk)", "https://github.com/Lab/Talk20.git"),
        (2, "Accept (Spotlight)", "[code](https://github.com/lab/spot20/tree/master/src)."),
        (3, "Accept (Poster)", "https://anonymous.4open.science/r/poster20-1234/"),
        (4, "Accept (Poster)", ""),  # empty code field
        (5, "Accept (Poster)", "git@github.com:lab/ssh20.git, https://drive.google.com/x"),
        (6, "Reject", GH + "rejected20"),
        (7, "Accept (Poster)", None),
    ]
    notes: list[dict[str, Any]] = []
    for n, decision, code in rows:
        content: dict[str, Any] = {"title": f"ICLR20 paper {n}",
                                   "authorids": [f"a{n}@uni{n}.edu", "~B_C1"]}
        if code is not None:
            content["code"] = code
        if n == 3:
            content["abstract"] = "Camera-ready code: https://github.com/lab/poster20"
        notes += _with_reply(org, n, content, org + "/Paper{n}/-/Decision",
                             {"title": "Paper Decision", "decision": decision},
                             f"{org}/Program_Chairs")
    return Recordings(v1=notes)


def test_iclr2020_direct_reply_decisions_and_code_field(tmp_path: Path) -> None:
    papers = by_title(run(iclr2020(), ["ICLR.cc/2020/Conference"], tmp_path))
    assert len(papers) == 6 and "ICLR20 paper 6" not in papers
    assert tiers(list(papers.values())) == {"oral": 1, "spotlight": 1, "poster": 4}
    assert papers["ICLR20 paper 1"].code_urls == (GH + "talk20",)
    assert papers["ICLR20 paper 2"].code_urls == (GH + "spot20",)
    # the de-anonymised GitHub link in the abstract beats the anonymous mirror
    p3 = papers["ICLR20 paper 3"]
    assert p3.code_urls == (GH + "poster20", "https://anonymous.4open.science/r/poster20-1234")
    assert p3.link_source == "abstract|code"
    assert papers["ICLR20 paper 4"].code_urls == ()
    assert papers["ICLR20 paper 5"].code_urls == (GH + "ssh20", "https://drive.google.com/x")
    assert papers["ICLR20 paper 5"].author_domains == ("uni5.edu",)
    assert papers["ICLR20 paper 1"].snapshot_date == "2020-05-01T23:59:59Z"


# -- v1 years with content.venue -------------------------------------------------------------

def iclr2021() -> Recordings:
    org = "ICLR.cc/2021/Conference"
    notes = []
    for n, venue in [(1, "ICLR 2021 Oral"), (2, "ICLR 2021 Spotlight"), (3, "ICLR 2021 Poster"),
                     (4, ""), (5, "")]:
        content = {"title": f"ICLR21 paper {n}",
                   "supplementary_material": "/attachment/0123456789abcdef.zip"}
        if venue:  # rejected notes carry neither venue nor venueid
            content.update({"venue": venue, "venueid": org})
        notes.append(v1_submission(org, n, content))
    return Recordings(v1=notes)


def iclr2023() -> Recordings:
    org = "ICLR.cc/2023/Conference"
    venues = ["ICLR 2023 notable top 5%", "ICLR 2023 notable top 25%", "ICLR 2023 notable top 25%",
              "ICLR 2023 poster", "ICLR 2023 poster", "Submitted to ICLR 2023",
              "Submitted to ICLR 2023"]
    # the bare venueid is on rejected papers too
    notes = [v1_submission(org, n, {"title": f"ICLR23 paper {n}", "venue": v, "venueid": org})
             for n, v in enumerate(venues, 1)]
    return Recordings(v1=notes)


def test_iclr2021_and_2023_tiers_from_content_venue(tmp_path: Path) -> None:
    papers = run(iclr2021() + iclr2023(), ["iclr2021", "iclr2023"], tmp_path)
    y21 = [p for p in papers if p.year == 2021]
    y23 = [p for p in papers if p.year == 2023]
    assert len(y21) == 3 and tiers(y21) == {"oral": 1, "spotlight": 1, "poster": 1}
    assert all(p.code_urls == () for p in y21)  # an attachment path is no link
    assert len(y23) == 5 and tiers(y23) == {"oral": 1, "spotlight": 2, "poster": 2}
    assert y23[0].decision == "ICLR 2023 notable top 5%"


def neurips2021() -> Recordings:
    org = "NeurIPS.cc/2021/Conference"
    rows = [(1, "NeurIPS 2021 Oral", "Twin Paper", GH + "twin"),
            (2, "NeurIPS 2021 Spotlight", "Spotlight Paper", ""),
            (3, "NeurIPS 2021 Poster", "Poster Paper", "https://gitlab.com/grp/sub/proj/-/tree/main"),
            (4, "NeurIPS 2021 Submitted", "Rejected Paper", GH + "rej"),
            (9, "NeurIPS 2021 Oral", "Twin Paper", GH + "twin")]  # same paper, second id
    notes = [v1_submission(org, n, {"title": t, "venue": v, "venueid": org, "code": c,
                                    "authors": ["Ann Author", "Bob Author"],
                                    "community_implementations": GH + "catalyzex"})
             for n, v, t, c in rows]
    return Recordings(v1=notes)


def test_neurips2021_duplicates_merged(tmp_path: Path) -> None:
    papers = run(neurips2021(), ["neurips:2021"], tmp_path)
    assert [p.title for p in papers] == ["Twin Paper", "Spotlight Paper", "Poster Paper"]
    assert papers[0].paper_id == neurips2021().v1[0]["id"]  # the lower number is kept
    assert tiers(papers) == {"oral": 1, "spotlight": 1, "poster": 1}
    assert papers[0].code_urls == (GH + "twin",)
    assert papers[2].code_urls == ("https://gitlab.com/grp/sub/proj",)


def neurips2022(n_listed: int) -> Recordings:
    org = "NeurIPS.cc/2022/Conference"
    notes = [v1_submission(org, n, {
        "title": f"NeurIPS22 paper {n}", "venueid": org,
        "venue": "NeurIPS 2022 Submitted" if n % 250 == 0 else "NeurIPS 2022 Accept",
        "supplementary_material": "/attachment/abc.zip"}) for n in range(1, n_listed + 1)]
    return Recordings(v1=notes)


def test_neurips2022_no_tiers_and_a_full_v1_page(tmp_path: Path) -> None:
    with OpenReviewReplay(neurips2022(1000)) as srv:
        settings = Settings(out=str(tmp_path), openreview_baseurl=srv.url_v1,
                            openreview_baseurl_v2=srv.url_v2, openreview_pace=0)
        papers = discover(resolve(["neurips2022"]), settings)
        assert len(papers) == 996 and tiers(papers) == {"accept": 996}
        assert [p.decision for p in papers][:1] == ["NeurIPS 2022 Accept"]
        # exactly 1000 notes: one full page, then the cursor page comes back empty
        pages = list(srv.paths("/v1/notes"))
        assert len(pages) == 2 and "after=" in pages[1]


# -- v2 -------------------------------------------------------------------------------------

def neurips2023(n_accepted: int) -> Recordings:
    org = "NeurIPS.cc/2023/Conference"
    kinds = ["NeurIPS 2023 oral", "NeurIPS 2023 spotlight", "NeurIPS 2023 poster",
             "NeurIPS 2023 poster", "NeurIPS 2023 poster"]
    notes = [v2_note(domain=org, number=n, content={
        "title": f"NeurIPS23 paper {n}", "venue": kinds[n % 5],
        "abstract": f"Code: https://github.com/lab/p{n}" if n % 2 else "No code.",
        "keywords": ["deep learning", "theory"], "primary_area": "optimization"})
        for n in range(1, n_accepted + 1)]
    rejected = [v2_note(domain=org, number=n, venueid=f"{org}/Rejected_Submission",
                        content={"title": f"Rejected {n}", "venue": "Submitted to NeurIPS 2023"})
                for n in range(5001, 5041)]
    return Recordings(v2=notes + rejected)


def test_neurips2023_v2_cursor_past_1000_notes(tmp_path: Path) -> None:
    with OpenReviewReplay(neurips2023(1234)) as srv:
        settings = Settings(out=str(tmp_path), openreview_baseurl=srv.url_v1,
                            openreview_baseurl_v2=srv.url_v2, openreview_pace=0)
        papers = discover(resolve(["neurips2023"]), settings)
        pages = list(srv.paths("/v2/notes"))
    assert len(papers) == 1234 and len({p.paper_id for p in papers}) == 1234
    assert [p.title for p in papers[:2]] == ["NeurIPS23 paper 1", "NeurIPS23 paper 2"]
    assert tiers(papers) == {"oral": 246, "spotlight": 247, "poster": 741}
    assert sum(bool(p.code_urls) for p in papers) == 617
    assert papers[0].keywords == ("deep learning", "theory")
    assert papers[0].primary_area == "optimization"
    assert len(pages) == 2 and "count=true" in pages[0]
    assert "after=" in pages[1] and "count=false" in pages[1]


def icml() -> Recordings:
    notes = []
    for year, venues in [(2023, ["ICML 2023 OralPoster", "ICML 2023 Poster", "ICML 2023 Poster"]),
                         (2025, ["ICML 2025 oral", "ICML 2025 spotlightposter",
                                 "ICML 2025 poster"])]:
        org = f"ICML.cc/{year}/Conference"
        for n, venue in enumerate(venues, 1):
            content: dict[str, Any] = {"title": f"ICML{year} paper {n}", "venue": venue}
            if year == 2025 and n == 2:
                content["link_to_code"] = "https://github.com/lab/icml25"
            notes.append(v2_note(domain=org, number=n, content=content))
    pos = "ICML.cc/2025/Position_Paper_Track"
    notes.append(v2_note(domain=pos, number=7, venueid=pos,
                         content={"title": "A position", "venue": "ICML 2025 Position Paper"}))
    return Recordings(v2=notes)


def test_icml_oralposter_spotlightposter_and_position_track(tmp_path: Path) -> None:
    papers = run(icml(), ["icml:2023", "icml2025"], tmp_path)
    y23 = [p for p in papers if p.year == 2023]
    y25 = by_title([p for p in papers if p.year == 2025])
    assert tiers(y23) == {"oral": 1, "poster": 2}
    assert len(y25) == 4
    assert y25["ICML2025 paper 2"].tier == "spotlight"
    assert y25["ICML2025 paper 2"].code_urls == (GH + "icml25",)
    assert y25["ICML2025 paper 2"].link_source == "link_to_code"
    assert y25["A position"].tier == "accept"


def tmlr() -> Recordings:
    year_ms = {2023: 1_690_000_000_000, 2024: 1_720_000_000_000}
    notes = []
    for n in range(1, 6):
        year = 2023 if n <= 2 else 2024
        notes.append(v2_note(domain="TMLR", number=n, venueid="TMLR", pdate=year_ms[year],
                             content={"title": f"TMLR paper {n}", "venue": "Accepted by TMLR",
                                      "certifications": ["Featured Certification"],
                                      "code": f"https://github.com/lab/tmlr{n}"}))
    notes.append(v2_note(domain="TMLR", number=6, venueid="TMLR/Rejected",
                         content={"title": "Rejected", "venue": "Rejected by TMLR"}))
    return Recordings(v2=notes)


def test_tmlr_year_from_publication_date(tmp_path: Path) -> None:
    papers = run(tmlr(), ["tmlr"], tmp_path)
    assert [p.year for p in papers] == [2023, 2023, 2024, 2024, 2024]
    assert tiers(papers) == {"accept": 5}
    assert papers[0].snapshot_date == "2023-07-22T23:59:59Z"
    assert papers[0].code_urls == (GH + "tmlr1",)
    only = run(tmlr(), ["tmlr:2024"], tmp_path)
    assert [p.title for p in only] == ["TMLR paper 3", "TMLR paper 4", "TMLR paper 5"]


def test_all_patterns_together_and_limit(tmp_path: Path) -> None:
    recs = iclr2018() + iclr2019() + iclr2020() + iclr2021() + neurips2021() + icml()
    specs = ["iclr:2018-2021", "neurips2021", "icml2023"]
    papers = run(recs, specs, tmp_path)
    assert Counter(p.key for p in resolve(specs)) and len(papers) == 3 + 3 + 6 + 3 + 3 + 3
    limited = run(recs, specs, tmp_path / "l", limit=2)
    assert len(limited) == 12
    assert [p.title for p in limited if p.year == 2019] == ["ICLR19 paper 10", "ICLR19 paper 11"]
