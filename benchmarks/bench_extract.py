"""Benchmark: extract_archive vs pipreqs 0.5.0 vs plain decompression; plus the fixture table.

Usage:
    .venv/bin/python benchmarks/bench_extract.py            # sizes 20..20k files
    .venv/bin/python benchmarks/bench_extract.py --huge     # adds the 100k-file repository
    .venv/bin/python benchmarks/bench_extract.py --fixtures # pipreqs vs ours on tests/data/repos

pipreqs needs ``.venv/bin/pip install --no-deps pipreqs==0.5.0 yarg==0.1.9 docopt==0.6.2``;
it is run offline (``get_all_imports`` + ``get_pkg_names``, no PyPI) on the extracted tree,
so its numbers exclude any decompression: the comparison favours pipreqs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_repos import make_repo  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402

from crawler.extract import extract_archive, extract_path  # noqa: E402

SIZES = [20, 200, 2_000, 20_000]


def floor(archive: str) -> None:
    """Plain decompression of the archive to nothing."""
    with gzip.open(archive, "rb") as fh:
        while fh.read(1 << 20):
            pass


def pipreqs_names(tree: str) -> set[str]:
    """pipreqs 0.5.0 offline: imports → names via its mapping file."""
    from pipreqs import pipreqs

    return {str(canonicalize_name(n)) for n in pipreqs.get_pkg_names(pipreqs.get_all_imports(tree))}


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / (1 << 20)


def run_sizes(sizes: list[int]) -> None:
    print("| files | archive MB | unpacked MB | floor s | ours s | pipreqs s | ours repos/s | "
          "ours MB/s | floor MB/s | pipreqs MB/s | ours/floor | pipreqs/ours | ours peak MiB |")
    print("|" + "---|" * 13)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            tree, archive = make_repo(tmp, f"repo{n}", n, seed=n)
            unpacked = sum(p.stat().st_size for p in Path(tree).rglob("*") if p.is_file()) / 1e6
            repeat = 5 if n <= 2_000 else 2
            t_floor = best_of(partial(floor, archive), repeat)
            t_ours = best_of(partial(extract_archive, archive), repeat)
            t_pip = best_of(partial(pipreqs_names, tree), repeat)
            peak = peak_mib(partial(extract_archive, archive))
            mb = os.path.getsize(archive) / 1e6
            print(f"| {n:,} | {mb:.1f} | {unpacked:.1f} | {t_floor:.3f} | {t_ours:.3f} | "
                  f"{t_pip:.3f} | {1 / t_ours:.1f} | {unpacked / t_ours:.0f} | "
                  f"{unpacked / t_floor:.0f} | {unpacked / t_pip:.0f} | {t_ours / t_floor:.2f}× | "
                  f"{t_pip / t_ours:.1f}× | {peak:.1f} |", flush=True)


def run_fixtures() -> None:
    repos = Path(__file__).resolve().parent.parent / "tests" / "data" / "repos"
    print("| case | expected | ours | pipreqs 0.5.0 (offline) |")
    print("|---|---|---|---|")
    agree_ours = agree_pip = 0
    cases = sorted(p for p in repos.iterdir() if (p / "expected.json").exists())
    for case in cases:
        expected = set(json.loads((case / "expected.json").read_text())["tools"])
        ours = {t.name for t in extract_path(str(case / "repo")).tools}
        try:
            pip = pipreqs_names(str(case / "repo"))
            pip_text = _diff(pip, expected)
        except Exception as exc:  # noqa: BLE001 - pipreqs crashing is the finding
            pip, pip_text = None, f"crash: {type(exc).__name__}"
        agree_ours += ours == expected
        agree_pip += pip == expected
        print(f"| {case.name} | {', '.join(sorted(expected)) or '—'} | {_diff(ours, expected)} | "
              f"{pip_text} |")
    print(f"\nexact matches: ours {agree_ours}/{len(cases)}, pipreqs {agree_pip}/{len(cases)}")


def _diff(got: set[str], expected: set[str]) -> str:
    if got == expected:
        return "✓"
    parts = [f"+{n}" for n in sorted(got - expected)] + [f"−{n}" for n in sorted(expected - got)]
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--huge", action="store_true", help="also the 100k-file repository")
    parser.add_argument("--fixtures", action="store_true", help="only the fixture table")
    parser.add_argument("--sizes", type=int, nargs="*", help="override repository sizes")
    args = parser.parse_args()
    if args.fixtures:
        run_fixtures()
        return
    sizes = args.sizes or SIZES + ([100_000] if args.huge else [])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    run_sizes(sizes)


if __name__ == "__main__":
    main()
