"""Benchmark ``analysis.analyze`` on generated crawls of 10k, 100k and 1M repositories.

Usage::

    .venv/bin/python benchmarks/bench_analysis.py --sizes 10000 100000 1000000 --root /tmp/bench

Each crawl has 5 venues × 8 years = 40 venue-year partitions, one primary
repository per paper, 90 % analysed, and ≈25 tools per analysed repository drawn
from a Zipf-like vocabulary of 3,000 names. Partitions are written with the
exact schemas of ``crawler.datasets`` and the layout of
``crawler.storage.write_partitioned`` (``<dataset>/venue=V/year=Y/part-0.parquet``),
vectorised so that generating 25M tool rows takes seconds. ``analyze`` runs in
a fresh child process (which forks its chart workers); reported are its wall
and CPU time (children included), the peak RSS of the main process, and the
peak PSS of the whole process tree sampled every 0.1 s (PSS splits pages the
forked chart workers share with their parent, so it is the honest total). A
second child times the phases (import, load, tables, charts).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from crawler import storage  # noqa: E402
from crawler.datasets import SCHEMAS  # noqa: E402

VENUES = ("ICLR", "NeurIPS", "ICML", "TMLR", "COLM")
YEARS = tuple(range(2018, 2026))
VOCAB = 3000
DRAWS = 48  # draws per repository before de-duplication → ≈25 distinct tools
FAMILIES = ("pytorch", "tensorflow", "keras", "jax")


def _const_list(values: pa.Array, n: int) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), values)


def _write(name: str, root: str, venue: str, year: int, columns: dict[str, pa.Array]) -> None:
    schema = pa.schema([f for f in SCHEMAS[name] if f.name not in ("venue", "year")])
    table = pa.table(columns).select(schema.names).cast(schema)
    with storage.open_url(f"{root}/{name}/venue={venue}/year={year}/part-0.parquet", "wb") as fh:
        pq.write_table(table, fh, compression="zstd")


def _partition(root: str, venue: str, year: int, n: int, rng: np.random.Generator) -> int:
    ids = pa.array([f"{venue.lower()}{year}-{i:07d}" for i in range(n)])
    repo = pa.array([f"github.com/lab{i % 997}/{venue.lower()}{year}-{i:07d}" for i in range(n)])
    empty = pa.array([""] * n)
    _write("papers", root, venue, year, {
        "paper_id": ids, "venue_id": empty, "title": ids, "decision": pa.array(["Accept"] * n),
        "tier": pa.array(np.array(["oral", "spotlight", "poster"])[rng.integers(0, 3, n)]),
        "code_urls": _const_list(pa.compute.binary_join_element_wise("https://", repo, ""), n),
        "link_source": pa.array(["code"] * n),
        "keywords": _const_list(pa.array(np.array(["computer vision", "reinforcement learning",
                                                   "language models"])[rng.integers(0, 3, n)]), n),
        "primary_area": empty, "author_domains": _const_list(pa.array(
            np.array(["mit.edu", "google.com", "gmail.com"])[rng.integers(0, 3, n)]), n),
        "snapshot_date": pa.array([f"{year}-05-01T23:59:59Z"] * n),
        "status": pa.array(["has_code_link"] * n)})
    ok = rng.random(n) < 0.9
    fam = pa.array(np.array(FAMILIES)[rng.integers(0, len(FAMILIES), n)])
    _write("repos", root, venue, year, {
        "paper_id": ids, "repo": repo, "url": repo, "link_source": pa.array(["code"] * n),
        "primary": pa.array(np.ones(n, bool)), "sha": empty, "commit_date": empty,
        "snapshot": pa.array(["publication"] * n),
        "status": pa.array(np.where(ok, "ok", "not_found")),
        "stage": pa.array(np.where(ok, "", "fetch")), "error": empty,
        **{c: pa.array(np.zeros(n, np.int64))
           for c in ("archive_bytes", "n_files", "n_py_files", "n_notebooks")},
        "manifests": _const_list(pa.array(["requirements.txt"] * n), n),
        "frameworks": _const_list(fam, n), "unresolved": _const_list(empty, n),
        "file_errors": pa.array(np.zeros(n, np.int64))})
    okidx = np.flatnonzero(ok)
    draws = np.minimum(rng.zipf(1.25, (len(okidx), DRAWS)) - 1, VOCAB - 1)
    keys = np.unique(okidx[:, None].astype(np.int64) * VOCAB + draws)
    rows, tools = keys // VOCAB, keys % VOCAB
    vocab = pa.array([f"tool-{t:04d}" for t in range(VOCAB)])
    m = len(keys)
    tool = vocab.take(pa.array(tools))
    _write("tools", root, venue, year, {
        "paper_id": ids.take(pa.array(rows)), "repo": repo.take(pa.array(rows)), "tool": tool,
        "sources": _const_list(pa.array(["imported"] * m), m), "spec": pa.array([""] * m),
        "files": _const_list(pa.array(["main.py"] * m), m), "via": _const_list(tool, m)})
    return m


def generate(root: str, repos: int) -> dict[str, int]:
    """Write a crawl of ``repos`` repositories under ``root``; returns row counts."""
    rng = np.random.default_rng(0)
    per = repos // (len(VENUES) * len(YEARS))
    tool_rows = sum(_partition(root, v, y, per, rng) for v in VENUES for y in YEARS)
    return {"repos": per * len(VENUES) * len(YEARS), "tool_rows": tool_rows}


CHILD_FULL = "import sys; from analysis import analyze; analyze(sys.argv[1], sys.argv[2])"
CHILD_PHASES = """import sys, time, json
t0 = time.perf_counter()
from analysis.api import build_charts, compute_tables
from analysis.load import load_census
t1 = time.perf_counter(); c = load_census(sys.argv[1]); t2 = time.perf_counter()
tables = compute_tables(c); t3 = time.perf_counter()
build_charts(tables, len(c.units), "bench"); t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "tables": t3 - t2, "charts": t4 - t3}))"""


def _tree_pss(proc: psutil.Process) -> tuple[float, float]:
    """(PSS of ``proc`` and all its descendants, RSS of ``proc``) in MiB; 0 once gone."""
    try:
        members = [proc, *proc.children(recursive=True)]
        rss = proc.memory_info().rss
    except psutil.Error:
        return 0.0, 0.0
    pss = 0
    for member in members:
        try:
            pss += member.memory_full_info().pss
        except psutil.Error:
            pass
    return pss / 2**20, rss / 2**20


def run_child(code: str, *args: str) -> dict[str, float | str]:
    """Run ``code`` in a fresh interpreter; wall, CPU (with descendants), peak PSS/RSS, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parent.parent)
    proc = psutil.Process(child.pid)
    peak_pss = peak_rss = 0.0
    while child.poll() is None:
        pss, rss = _tree_pss(proc)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    out = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise SystemExit(f"child failed with {child.returncode}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu, "peak_pss": peak_pss, "peak_rss": peak_rss, "out": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--root", default="/tmp/bench_analysis")
    parser.add_argument("--reuse", action="store_true",
                        help="keep a crawl already generated under --root")
    parser.add_argument("--repeat", type=int, default=1, help="analyze runs per size")
    args = parser.parse_args()
    for size in args.sizes:
        root = f"{args.root}/n{size}"
        t0 = time.perf_counter()
        if args.reuse and Path(root, "tools").is_dir():
            counts = {"repos": -1, "tool_rows": -1}
        else:
            counts = generate(root, size)
        gen = time.perf_counter() - t0
        for _ in range(args.repeat):
            full = run_child(CHILD_FULL, root, root + "-out")
            phases = json.loads(str(run_child(CHILD_PHASES, root)["out"]))
            print(json.dumps({"size": size, **counts, "generate_s": round(gen, 1),
                              "analyze_s": round(float(full["wall"]), 1),
                              "analyze_cpu_s": round(float(full["cpu"]), 1),
                              "peak_pss_mib": round(float(full["peak_pss"])),
                              "peak_rss_main_mib": round(float(full["peak_rss"])),
                              "load1": round(os.getloadavg()[0], 2),
                              **{k: round(v, 1) for k, v in phases.items()}}), flush=True)


if __name__ == "__main__":
    main()
