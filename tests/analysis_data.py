"""A generated multi-venue, multi-year crawl with known answers, for analysis tests.

Written through :func:`crawler.datasets.to_table` and
:func:`crawler.storage.write_partitioned`, so it has the exact layout and
schemas of a real crawl. Each venue-year is described by counts in ``SPEC``;
papers are numbered and take their outcome in the order of ``OUTCOMES``.

Known quirks on purpose:
- ICLR 2020: the first PyTorch repository is on GitLab (the 2020 study only
  counted GitHub); one repository without a framework uses ``torchfile`` (a
  Lua-Torch file reader: "torch" in its name but not PyTorch); one secondary
  link was analysed too (it must not enter any share); one repository was
  read after publication.
- TMLR 2021 has 3 papers: too little data for a trend.
- Every fifth paper with an analysed primary repository has a secondary link
  that was skipped.
"""

from __future__ import annotations

from typing import Any

from crawler import storage
from crawler.datasets import SORT_KEYS, to_table

OUTCOMES = ("no_code", "unsupported_host", "not_found", "rate_limited", "no_python",
            "pt", "tf", "tfk", "both", "keras", "jax", "none", "torchfile")
# venue, year: counts in OUTCOMES order
SPEC: dict[tuple[str, int], tuple[int, ...]] = {
    ("ICLR", 2019): (14, 1, 2, 0, 1, 4, 4, 1, 0, 2, 0, 1, 0),
    ("ICLR", 2020): (10, 2, 3, 1, 1, 12, 3, 2, 1, 2, 1, 1, 1),
    ("ICLR", 2021): (10, 1, 2, 0, 2, 22, 3, 1, 1, 1, 3, 4, 0),
    ("NeurIPS", 2020): (12, 0, 1, 2, 1, 11, 3, 0, 0, 1, 2, 3, 0),
    ("NeurIPS", 2021): (8, 1, 1, 0, 1, 20, 2, 0, 1, 0, 4, 6, 0),
    ("TMLR", 2021): (1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0),
}
FRAMEWORKS = {"pt": ["pytorch"], "tf": ["tensorflow"], "tfk": ["tensorflow", "keras"],
              "both": ["pytorch", "tensorflow"], "keras": ["keras"], "jax": ["jax"]}
CLASS_TOOLS = {"pt": ["torch"], "tf": ["tensorflow"], "tfk": ["tensorflow", "keras"],
               "both": ["tensorflow", "torch"], "keras": ["keras"], "jax": ["jax", "jaxlib"],
               "none": ["scipy"], "torchfile": ["scipy", "torchfile"]}
TIERS = ("oral", "spotlight", "poster", "poster", "poster")
KEYWORDS = (("computer vision", "deep learning"), ("reinforcement learning",),
            ("large language models",), ("graph neural networks",), ("optimization",), ())
AUTHORS = (("cs.stanford.edu", "google.com"), ("mit.edu",), ("gmail.com",), (),
           ("research.google.com",))
FAILURE_STAGE = {"not_found": "fetch", "rate_limited": "fetch", "no_python": "extract",
                 "unsupported_host": "resolve"}


def outcomes(venue: str, year: int) -> list[str]:
    """The outcome of every paper of a venue-year, in paper order."""
    return [name for name, n in zip(OUTCOMES, SPEC[(venue, year)], strict=True) for _ in range(n)]


def tools_of(outcome: str, j: int) -> list[str]:
    """Tools of the ``j``-th analysed repository of a venue-year, given its outcome."""
    tools = {"numpy", *CLASS_TOOLS[outcome]}
    if j % 2 == 0:
        tools.add("matplotlib")
        if outcome == "pt":
            tools.add("torchvision")
    if j % 3 == 0:
        tools.add("scikit-learn")
    if j % 4 == 0:
        tools.add("tqdm")
    return sorted(tools)


def _paper(venue: str, year: int, i: int, outcome: str) -> dict[str, Any]:
    pid = f"{venue.lower()}{year}-{i:03d}"
    url = "" if outcome == "no_code" else f"https://github.com/lab{i % 3}/{pid}"
    if outcome == "unsupported_host":
        url = f"https://bitbucket.org/lab/{pid}"
    area = "reinforcement learning" if (venue, year) == ("ICLR", 2021) and i % 7 == 0 else ""
    return {"paper_id": pid, "venue": venue, "year": year, "venue_id": f"{venue}/{year}",
            "title": f"Paper {pid}", "decision": "Accept", "tier": TIERS[i % 5],
            "code_urls": [url] if url else [], "link_source": "code" if url else "",
            "keywords": list(KEYWORDS[i % 6]), "primary_area": area,
            "author_domains": list(AUTHORS[i % 5]),
            "snapshot_date": f"{year}-05-01T23:59:59Z",
            "status": "has_code_link" if url else "no_code_link"}


def _repo(paper: dict[str, Any], outcome: str, primary: bool = True) -> dict[str, Any]:
    url = paper["code_urls"][0]
    ok = outcome not in FAILURE_STAGE and outcome != "skipped_secondary"
    return {"paper_id": paper["paper_id"], "venue": paper["venue"], "year": paper["year"],
            "repo": "" if outcome == "unsupported_host" else url.split("://", 1)[1],
            "url": url, "link_source": "code", "primary": primary,
            "sha": "a" * 40 if ok else "", "commit_date": f"{paper['year']}-04-01T00:00:00Z",
            "snapshot": "publication", "status": "ok" if ok else outcome,
            "stage": FAILURE_STAGE.get(outcome, ""), "error": "" if ok else outcome,
            "archive_bytes": 1000, "n_files": 10, "n_py_files": 5, "n_notebooks": 0,
            "manifests": ["requirements.txt"], "frameworks": FRAMEWORKS.get(outcome, []),
            "unresolved": [], "file_errors": 0}


def _tool_rows(repo: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    return [{"paper_id": repo["paper_id"], "venue": repo["venue"], "year": repo["year"],
             "repo": repo["repo"], "tool": name, "sources": ["imported"], "spec": "",
             "files": ["main.py"], "via": [name]} for name in names]


def rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Papers, repos and tools rows of the whole generated crawl."""
    papers, repos, tools = [], [], []
    for (venue, year) in SPEC:
        j = 0
        for i, outcome in enumerate(outcomes(venue, year)):
            paper = _paper(venue, year, i, outcome)
            papers.append(paper)
            if outcome == "no_code":
                continue
            repo = _repo(paper, outcome)
            repos.append(repo)
            if repo["status"] != "ok":
                continue
            if (venue, year, j) == ("ICLR", 2020, 0):
                repo["repo"] = repo["repo"].replace("github.com", "gitlab.com")
                repo["url"] = "https://" + repo["repo"]
            if (venue, year, j) == ("ICLR", 2020, 1):
                repo["snapshot"] = "after-publication"
            tools.extend(_tool_rows(repo, tools_of(outcome, j)))
            if j % 5 == 0:
                extra = _repo(paper, "skipped_secondary", primary=False)
                extra.update(url=extra["url"] + "-extra", repo=extra["repo"] + "-extra",
                             status="skipped_secondary", stage="", frameworks=[])
                if (venue, year, j) == ("ICLR", 2020, 5):
                    extra.update(status="ok", frameworks=["jax"])
                    tools.extend(_tool_rows(extra, ["jax", "numpy"]))
                repos.append(extra)
            j += 1
    return papers, repos, tools


def write_dataset(url: str, options: storage.Options | None = None) -> None:
    """Write the generated crawl under ``url`` (papers/, repos/, tools/, _runs/)."""
    papers, repos, tools = rows()
    for name, data in (("papers", papers), ("repos", repos), ("tools", tools)):
        storage.write_partitioned(to_table(name, data), storage.join(url, name), options,
                                  sort_by=SORT_KEYS[name])
    storage.write_json(storage.join(url, "_runs", "test-run.json"), {"run_id": "test-run"}, options)
