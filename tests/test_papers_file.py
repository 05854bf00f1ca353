"""``--papers`` and ``--links`` files: CSV, JSON Lines, JSON(.gz), Parquet."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawler.errors import ConfigError
from crawler.links import code_links
from crawler.papers_file import apply_links_file, read_papers_file
from crawler.records import Paper
from crawler.settings import Settings

S = Settings(openreview_pace=0)
ROWS: list[dict[str, Any]] = [
    {"venue": "CVPR", "year": 2023, "title": "Seeing Things",
     "code_url": "https://github.com/v/seeing.git https://drive.google.com/x", "tier": "Oral"},
    {"venue": "ACL", "year": "2022", "title": "Words, Words", "code_url": "",
     "decision": "Accept (Poster)"},
    {"venue": "ICLR", "year": 2020, "title": "From The Catalogue", "arxiv_id": "2001.00001v2",
     "code_url": "github.com/v/cat"},
]


def check(papers: list[Paper]) -> None:
    assert [p.venue for p in papers] == ["CVPR", "ACL", "ICLR"]
    a, b, c = papers
    assert (a.year, a.tier, a.code_urls) == (
        2023, "oral", ("https://github.com/v/seeing", "https://drive.google.com/x"))
    assert a.link_source == "papers-file" and a.paper_id.startswith("cvpr2023-")
    assert (b.year, b.tier, b.code_urls, b.snapshot_date) == (2022, "poster", (), "")
    assert c.paper_id == "arXiv:2001.00001"
    assert (c.snapshot_date, c.venue_id) == ("2020-05-01T23:59:59Z", "ICLR.cc/2020/Conference")


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    head = ["venue", "year", "title", "code_url", "tier", "decision", "arxiv_id"]
    lines = [",".join(head)] + [",".join(json.dumps(str(r.get(k, ""))) for k in head) for r in ROWS]
    path.write_text("\n".join(lines) + "\n")
    check(read_papers_file(str(path), S))


def test_jsonl_and_parquet(tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    check(read_papers_file(str(jsonl), S))
    keys = sorted({k for r in ROWS for k in r})
    table = pa.Table.from_pylist([{**dict.fromkeys(keys), **r, "year": int(r["year"])}
                                  for r in ROWS])
    pq.write_table(table, tmp_path / "p.parquet")
    check(read_papers_file(str(tmp_path / "p.parquet"), S))


def test_missing_columns_and_unknown_format(tmp_path: Path) -> None:
    bad = tmp_path / "p.jsonl"
    bad.write_text(json.dumps({"title": "x"}) + "\n")
    with pytest.raises(ConfigError, match="venue, year"):
        read_papers_file(str(bad), S)
    other = tmp_path / "p.xlsx"
    other.write_text("x")
    with pytest.raises(ConfigError, match="unknown format"):
        read_papers_file(str(other), S)


PWC = [  # the shape of Papers with Code's links-between-papers-and-code dump
    {"paper_url": "https://paperswithcode.com/paper/a", "paper_title": "By OpenReview Id",
     "paper_arxiv_id": None, "paper_url_abs": "https://openreview.net/forum?id=OR_ID_1",
     "paper_url_pdf": "https://openreview.net/pdf?id=OR_ID_1",
     "repo_url": "https://github.com/auth/by-id", "is_official": True,
     "mentioned_in_paper": True, "mentioned_in_github": False, "framework": "pytorch"},
    {"paper_url": "https://paperswithcode.com/paper/b", "paper_title": "By arXiv",
     "paper_arxiv_id": "2101.00002", "paper_url_abs": "https://arxiv.org/abs/2101.00002v1",
     "paper_url_pdf": "", "repo_url": "https://github.com/auth/by-arxiv", "is_official": True},
    {"paper_url": "https://paperswithcode.com/paper/c", "paper_title": "Matched: By Title!",
     "paper_arxiv_id": "2101.00003", "paper_url_abs": "https://arxiv.org/abs/2101.00003",
     "repo_url": "https://github.com/auth/by-title", "is_official": True},
    {"paper_url": "https://paperswithcode.com/paper/c", "paper_title": "Matched: By Title!",
     "paper_arxiv_id": "2101.00003", "paper_url_abs": "https://arxiv.org/abs/2101.00003",
     "repo_url": "https://github.com/community/reimpl", "is_official": False},
]


def test_links_file_matches_by_id_arxiv_and_title(tmp_path: Path) -> None:
    path = tmp_path / "links-between-papers-and-code.json.gz"
    path.write_bytes(gzip.compress(json.dumps(PWC).encode()))
    papers = [
        Paper("OR_ID_1", "ICLR", 2022, "Some Other Title",
              code_urls=("https://anonymous.4open.science/r/x",), link_source="code"),
        Paper("arXiv:2101.00002", "CVPR", 2021, "Unrelated"),
        Paper("Xyz", "ICLR", 2022, "matched —  by title"),
        Paper("Nope", "ICLR", 2022, "No Match Here"),
    ]
    out = apply_links_file(papers, str(path), S)
    assert out[0].code_urls == ("https://github.com/auth/by-id",
                                "https://anonymous.4open.science/r/x")
    assert out[0].link_source == "links-file|code"
    assert [link.source for link in code_links(out[0]) if link.primary] == ["links-file"]
    assert out[1].code_urls == ("https://github.com/auth/by-arxiv",)
    assert out[1].link_source == "links-file"
    assert out[2].code_urls == ("https://github.com/auth/by-title",)  # not the community one
    assert out[3] == papers[3]


def test_links_file_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text("paper_title,paper_arxiv_id,repo_url,is_official\n"
                    "No Match Here,,https://gitlab.com/g/p,True\n")
    out = apply_links_file([Paper("Nope", "ICLR", 2022, "No match here")], str(path), S)
    assert out[0].code_urls == ("https://gitlab.com/g/p",)
