"""The three datasets of a crawl: their Arrow schemas and record → row conversion.

``papers`` (one row per accepted paper), ``repos`` (one row per paper × code
link, with a status) and ``tools`` (one row per paper × repository × tool).
Columns are those of the contract plus a few more, documented in the README.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import pyarrow as pa

from crawler.records import Paper, RepoResult

_STR = pa.string()
_LIST = pa.list_(pa.string())

PAPERS = pa.schema(
    [
        ("paper_id", _STR),
        ("venue", _STR),
        ("year", pa.int64()),
        ("venue_id", _STR),
        ("title", _STR),
        ("decision", _STR),
        ("tier", _STR),
        ("code_urls", _LIST),
        ("link_source", _STR),
        ("keywords", _LIST),
        ("primary_area", _STR),
        ("author_domains", _LIST),
        ("snapshot_date", _STR),
        ("status", _STR),  # "has_code_link" or "no_code_link"
    ]
)

REPOS = pa.schema(
    [
        ("paper_id", _STR),
        ("venue", _STR),
        ("year", pa.int64()),
        ("repo", _STR),
        ("url", _STR),
        ("link_source", _STR),
        ("primary", pa.bool_()),
        ("sha", _STR),
        ("commit_date", _STR),
        ("snapshot", _STR),
        ("status", _STR),
        ("stage", _STR),
        ("error", _STR),
        ("archive_bytes", pa.int64()),
        ("n_files", pa.int64()),
        ("n_py_files", pa.int64()),
        ("n_notebooks", pa.int64()),
        ("manifests", _LIST),
        ("frameworks", _LIST),
        ("unresolved", _LIST),
        ("file_errors", pa.int64()),
    ]
)

TOOLS = pa.schema(
    [
        ("paper_id", _STR),
        ("venue", _STR),
        ("year", pa.int64()),
        ("repo", _STR),
        ("tool", _STR),
        ("sources", _LIST),
        ("spec", _STR),
        ("files", _LIST),
        ("via", _LIST),
    ]
)

SORT_KEYS: dict[str, tuple[str, ...]] = {
    "papers": ("paper_id",),
    "repos": ("paper_id", "url"),
    "tools": ("paper_id", "repo", "tool"),
}
SCHEMAS: dict[str, pa.Schema] = {"papers": PAPERS, "repos": REPOS, "tools": TOOLS}


def paper_row(paper: Paper) -> dict[str, Any]:
    row = asdict(paper)
    for key in ("code_urls", "keywords", "author_domains"):
        row[key] = list(row[key])
    row["status"] = "has_code_link" if paper.code_urls else "no_code_link"
    return row


def repo_row(result: RepoResult, primary: bool = True) -> dict[str, Any]:
    ex = result.extraction
    return {
        "paper_id": result.paper_id,
        "venue": result.venue,
        "year": result.year,
        "repo": result.repo,
        "url": result.url,
        "link_source": result.link_source,
        "primary": primary,
        "sha": result.sha,
        "commit_date": result.commit_date,
        "snapshot": result.snapshot,
        "status": result.status,
        "stage": result.stage,
        "error": result.error,
        "archive_bytes": result.archive_bytes,
        "n_files": ex.n_files,
        "n_py_files": ex.n_py_files,
        "n_notebooks": ex.n_notebooks,
        "manifests": list(ex.manifests),
        "frameworks": list(ex.frameworks),
        "unresolved": list(ex.unresolved),
        "file_errors": len(ex.errors),
    }


def tool_rows(result: RepoResult) -> list[dict[str, Any]]:
    return [
        {
            "paper_id": result.paper_id,
            "venue": result.venue,
            "year": result.year,
            "repo": result.repo,
            "tool": t.name,
            "sources": list(t.sources),
            "spec": t.spec,
            "files": list(t.files),
            "via": list(t.via),
        }
        for t in result.extraction.tools
    ]


def to_table(name: str, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows → an Arrow table with the dataset's exact schema."""
    return pa.Table.from_pylist(list(rows), schema=SCHEMAS[name])
