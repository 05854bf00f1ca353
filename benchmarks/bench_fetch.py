"""Fetch benchmark: the 2020 way (one repository at a time) vs toolcensus on a local cluster.

A loopback GitHub server serves N generated repositories with a per-request
latency and a per-connection bandwidth cap. (a) resolves, downloads and
extracts them one after another in one thread; (b) runs ``crawler.crawl.crawl``
on a local Dask cluster with the cluster-wide politeness limits. The floor of
(b) is what the limits allow at best: ``max(Σ(latency + size/bandwidth) / C,
requests / R)`` for C concurrent downloads and R requests per second.

Usage::

    .venv/bin/python benchmarks/bench_fetch.py --repos 200 --latency 0.1 \
        --bandwidth 1000000 --downloads 16 --rps 100 --workers 2 --threads 16
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import tempfile
import time
from typing import Any

from crawler.crawl import crawl
from crawler.extract import extract_path
from crawler.fetch import download_archive, resolve_commit
from crawler.http import HttpClient
from crawler.loopback.github_server import GitHubServer, build_archive, content_sha
from crawler.politeness import local_limiter
from crawler.records import CodeLink, Paper
from crawler.settings import Settings

CODE = ("import torch\nimport numpy as np\n", "import tensorflow as tf\nimport pandas\n",
        "import jax\nimport optax\n", "from sklearn import svm\nimport matplotlib\n")
SNAPSHOT = "2020-05-01T23:59:59Z"


def generate(n: int, seed: int) -> dict[str, dict[str, str | bytes]]:
    """N repositories; a random (incompressible) asset sets each archive's size."""
    rng = random.Random(seed)
    repos: dict[str, dict[str, str | bytes]] = {}
    for i in range(n):
        asset = rng.randbytes(int(10 ** rng.uniform(4.3, 6.0)))  # 20 KB .. 1 MB, log-uniform
        files: dict[str, str | bytes] = {
            "train.py": CODE[i % len(CODE)] + f"print({i})\n",
            "models/net.py": "import torch.nn as nn\n" * 20,
            "requirements.txt": "numpy\nscipy>=1.3\n",
            "assets/weights.bin": asset,
        }
        repos[f"bench/r{i:04d}"] = files
    return repos


def archive_sizes(repos: dict[str, dict[str, str | bytes]]) -> list[int]:
    return [len(build_archive(files, f"x-{content_sha(files)}")) for files in repos.values()]


class RemoteServer:
    """The loopback server in its own process, as a real host would be (no shared GIL)."""

    def __init__(self, repos: dict[str, dict[str, str | bytes]], **kwargs: Any) -> None:
        ctx = mp.get_context("spawn")
        self._urls: Any = ctx.Queue()
        self._stop: Any = ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(repos, kwargs, self._urls, self._stop),
                                 daemon=True)

    def __enter__(self) -> RemoteServer:
        self._proc.start()
        self.api_url, self.archive_url, self.gitlab_url = self._urls.get(timeout=120)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._proc.join(10)


def _serve(repos: dict[str, Any], kwargs: dict[str, Any], urls: Any, stop: Any) -> None:
    with GitHubServer(repos, **kwargs) as gh:
        gh.prebuild()
        urls.put((gh.api_url, gh.archive_url, gh.gitlab_url))
        stop.wait()


def settings_for(gh: Any, args: argparse.Namespace, out: str) -> Settings:
    return Settings(
        out=out, github_api_url=gh.api_url, github_archive_url=gh.archive_url,
        gitlab_url=gh.gitlab_url, concurrent_downloads=args.downloads,
        requests_per_second=args.rps, retries=2, backoff_base=0.05, max_retry_wait=5.0,
        n_workers=args.workers, threads_per_worker=args.threads, fresh=True,
    )


def serial_2020(gh: Any, names: list[str], args: argparse.Namespace) -> float:
    """(a) One repository at a time: resolve, download, then analyse."""
    settings = settings_for(gh, args, "unused")
    started = time.monotonic()
    with HttpClient(settings, local_limiter(1, 0)) as http, tempfile.TemporaryDirectory() as tmp:
        for name in names:
            link = CodeLink("p", f"https://github.com/{name}", "code", "github",
                            f"github.com/{name}")
            archive = download_archive(resolve_commit(link, SNAPSHOT, http), tmp, http)
            extract_path(archive.path)
            os.remove(archive.path)
    return time.monotonic() - started


def cluster_crawl(gh: Any, names: list[str], args: argparse.Namespace) -> tuple[
        float, dict[str, int]]:
    """(b) toolcensus: the full crawl (fetch, extract, datasets) on a local Dask cluster."""
    from cluster.connect import get_client

    papers = [Paper(paper_id=f"p{i:04d}", venue="BENCH", year=2020, title=name,
                    code_urls=(f"https://github.com/{name}",), link_source="code",
                    snapshot_date=SNAPSHOT) for i, name in enumerate(names)]
    with tempfile.TemporaryDirectory() as out:
        settings = settings_for(gh, args, out)
        with get_client("local", settings) as client:
            client.run(lambda: None)  # workers up before the clock starts
            started = time.monotonic()
            summary = crawl(papers, settings, client=client)
            elapsed = time.monotonic() - started
    return elapsed, dict(summary.statuses)


def floor(sizes: list[int], args: argparse.Namespace) -> float:
    download = sum(args.latency + s / args.bandwidth for s in sizes) / args.downloads
    requests = (2 * len(sizes) - args.rps) / args.rps if args.rps else 0.0
    return float(max(download, requests))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--bandwidth", type=float, default=1_000_000, help="bytes/s per stream")
    parser.add_argument("--downloads", type=int, default=16, help="concurrent downloads (C)")
    parser.add_argument("--rps", type=float, default=100, help="requests per second (R)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--serial-repos", type=int, default=0,
                        help="time (a) on the first K repos only and scale (0: all)")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)
    repos = generate(args.repos, args.seed)
    names, sizes = sorted(repos), archive_sizes(repos)
    with RemoteServer(repos, latency=args.latency, bandwidth=args.bandwidth) as gh:
        k = args.serial_repos or len(names)
        serial = serial_2020(gh, names[:k], args) * len(names) / k
        parallel, statuses = cluster_crawl(gh, names, args)
    result: dict[str, Any] = {
        "repos": len(names), "archive_mb": sum(sizes) / 1e6, "serial_s": serial,
        "serial_scaled_from": k, "cluster_s": parallel, "floor_s": floor(sizes, args),
        "statuses": statuses,
    }
    result["speedup"] = serial / parallel
    result["over_floor"] = parallel / result["floor_s"]
    for key, value in result.items():
        print(f"{key:>18}: {value:.2f}" if isinstance(value, float) else f"{key:>18}: {value}")
    return result


if __name__ == "__main__":
    main()
