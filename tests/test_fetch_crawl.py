"""Fault injection end to end: a crawl through 10% random transient faults equals a clean one.

Both crawls see the same permanent faults (404, 451, private, huge, empty,
renamed); only the faulty one also fails a random 10% of all responses with
5xx, resets, 429, exhausted quotas, truncated gzip and wrong Content-Length.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from crawler import storage
from crawler.crawl import crawl
from crawler.loopback.github_server import GitHubServer, RepoCommit
from crawler.records import Paper
from crawler.settings import Settings

OWNER = "lab"
SNAPSHOT = "2020-05-01T23:59:59Z"
PERMANENT = {"gone": "404", "dmca": "451", "secret": "private", "giant": "huge"}
FRAMEWORK_CODE = (
    "import torch\nimport numpy as np\n",
    "import tensorflow as tf\nfrom sklearn.svm import SVC\n",
    "import jax\nimport jax.numpy as jnp\nimport optax\n",
    "from keras.layers import Dense\nimport pandas\n",
)


def make_repos(n: int) -> dict[str, dict[str, str | bytes]]:
    repos: dict[str, dict[str, str | bytes]] = {}
    for i in range(n):
        files: dict[str, str | bytes] = {
            "train.py": FRAMEWORK_CODE[i % len(FRAMEWORK_CODE)] + f"print({i})\n",
            "README.md": f"# repo {i}\n\n    pip install matplotlib\n",
        }
        if i % 3 == 0:
            files["requirements.txt"] = "numpy>=1.16\nscipy\n"
        repos[f"{OWNER}/r{i:02d}"] = files
    for name in (*PERMANENT, "empty", "late", "renamed"):
        repos[f"{OWNER}/{name}"] = {"main.py": "import requests\n"}
    repos[f"{OWNER}/matlab"] = {"main.m": "disp(1)\n"}
    return repos


def make_papers(names: list[str]) -> list[Paper]:
    return [
        Paper(paper_id=f"p{i:03d}", venue="ICLR", year=2020, title=f"Paper {i}",
              decision="Accept (Poster)", tier="poster",
              code_urls=(f"https://github.com/{name}",), link_source="code",
              snapshot_date=SNAPSHOT)
        for i, name in enumerate(sorted(names))
    ]


def run_crawl(out: Path, random_fault_rate: float) -> dict[str, list[dict[str, Any]]]:
    repos = make_repos(40)
    faults: dict[str, str] = {f"{OWNER}/{k}": v for k, v in PERMANENT.items()}
    faults[f"{OWNER}/old-name"] = f"redirect:{OWNER}/renamed"
    history = {f"{OWNER}/empty": [],
               f"{OWNER}/late": [RepoCommit("f" * 40, "2021-01-01T00:00:00Z")]}
    names = [n for n in repos if n != f"{OWNER}/renamed"] + [f"{OWNER}/old-name"]
    with GitHubServer(repos, history=history, faults=faults, random_fault_rate=random_fault_rate,
                      seed=11, retry_after=0, ratelimit_reset=0,
                      huge_bytes=3 * 1024 * 1024) as gh:
        settings = Settings(
            out=str(out), github_api_url=gh.api_url, github_archive_url=gh.archive_url,
            gitlab_url=gh.gitlab_url, retries=5, backoff_base=0.001, max_retry_wait=5.0,
            read_timeout=5.0, max_archive_bytes=1024 * 1024, requests_per_second=0,
        )
        crawl(make_papers(names), settings, client=None, run_id="fault-test")
        faults_served = sum(1 for r in gh.log if r.fault)
        base_url = gh.base_url
    tables: dict[str, list[dict[str, Any]]] = {"faults_served": [{"n": faults_served}]}
    for name in ("papers", "repos", "tools"):
        table = storage.read_dataset(str(out / name))
        assert isinstance(table, pa.Table)
        rows = [{k: v.replace(base_url, "{gh}") if isinstance(v, str) else v for k, v in r.items()}
                for r in table.to_pylist()]  # error messages name the server's random port
        tables[name] = sorted(rows, key=lambda r: sorted(map(str, r.items())))
    return tables


def test_random_faults_change_nothing_but_permanent_failures(tmp_path: Path) -> None:
    clean = run_crawl(tmp_path / "clean", 0.0)
    faulty = run_crawl(tmp_path / "faulty", 0.10)
    assert faulty["faults_served"][0]["n"] > 10 + clean["faults_served"][0]["n"]
    statuses = {r["repo"].split("/")[-1]: r["status"] for r in clean["repos"]}
    assert {k: statuses[k] for k in PERMANENT} == {
        "gone": "not_found", "dmca": "unavailable", "secret": "private", "giant": "too_large"}
    assert statuses["empty"] == "empty_repository" and statuses["matlab"] == "no_python"
    assert statuses["old-name"] == "ok"
    late = next(r for r in clean["repos"] if r["repo"].endswith("/late"))
    assert (late["sha"], late["snapshot"]) == ("f" * 40, "after-publication")
    assert sum(1 for s in statuses.values() if s == "ok") == 42
    faulty_status = {r["repo"]: (r["status"], r["error"]) for r in faulty["repos"]}
    clean_status = {r["repo"]: (r["status"], r["error"]) for r in clean["repos"]}
    assert {k: v for k, v in faulty_status.items() if v != clean_status.get(k)} == {}
    for name in ("papers", "repos", "tools"):
        assert faulty[name] == clean[name], name
