"""Benchmark: extract_archive vs pipreqs 0.5.0 vs plain decompression; plus the fixture table.

Usage:
    .venv/bin/python benchmarks/bench_extract.py            # sizes 20..20k files, 3 rounds
    .venv/bin/python benchmarks/bench_extract.py --huge     # adds the 100k-file repository
    .venv/bin/python benchmarks/bench_extract.py --fixtures # pipreqs vs ours on tests/data/repos
    .venv/bin/python benchmarks/bench_extract.py --real /tmp/toolcensus-real  # real sdists

pipreqs needs ``.venv/bin/pip install --no-deps pipreqs==0.5.0 yarg==0.1.9 docopt==0.6.2``;
it is run offline (``get_all_imports`` + ``get_pkg_names``, no PyPI) on the extracted tree,
so its numbers exclude any decompression: the comparison favours pipreqs.

The three are run interleaved (floor, ours, pipreqs, floor, ours, ...) so that load
from other processes hits them alike; each cell is the median of the rounds. Times are
CPU seconds of this process (all three are single-threaded; CPU time is steadier than
wall time on a shared machine); wall-clock ratios are printed too. The floor is
``archive_tar.inflated_chunks`` alone: the same zlib loop and chunk sizes as the reader,
no tar parsing. Statement caches are cleared before each of our runs (a cold worker).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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

from crawler.archive_tar import inflated_chunks  # noqa: E402
from crawler.extract import Limits, extract_archive, extract_path  # noqa: E402
from crawler.imports import clear_caches  # noqa: E402

SIZES = [20, 200, 2_000, 20_000]


def floor(archive: str) -> None:
    """Plain decompression of the archive to nothing (the reader's own inflate loop)."""
    with open(archive, "rb") as fh:
        for _ in inflated_chunks(fh):
            pass


LIMITS = Limits()


def ours(archive: str) -> None:
    """The full extraction of one archive by a worker with cold caches."""
    clear_caches()
    extract_archive(archive, LIMITS)


def pipreqs_names(tree: str) -> set[str]:
    """pipreqs 0.5.0 offline: imports → names via its mapping file."""
    from pipreqs import pipreqs

    return {str(canonicalize_name(n)) for n in pipreqs.get_pkg_names(pipreqs.get_all_imports(tree))}


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / (1 << 20)


def rounds_for(n: int, rounds: int, pip_rounds: int | None) -> tuple[int, int, int]:
    """(rounds, pipreqs rounds, repetitions per round of the fast ones)."""
    pip = rounds if pip_rounds is None else pip_rounds
    return rounds, pip, 9 if n <= 200 else 3 if n <= 2_000 else 1


def measure(n: int, archive: str, tree: str, rounds: int, pip_rounds: int | None
            ) -> dict[str, list[tuple[float, float]]]:
    """Interleaved timings: floor, ours, pipreqs per round (fast ones repeated, best kept)."""
    rounds, pip, reps = rounds_for(n, rounds, pip_rounds)
    out: dict[str, list[tuple[float, float]]] = {"floor": [], "ours": [], "pipreqs": []}
    for r in range(rounds):
        out["floor"].append(min(timed(partial(floor, archive)) for _ in range(reps)))
        out["ours"].append(min(timed(partial(ours, archive)) for _ in range(reps)))
        if r < pip:
            out["pipreqs"].append(timed(partial(pipreqs_names, tree)))
    return out


def run_sizes(sizes: list[int], rounds: int, pip_rounds: int | None) -> None:
    print("| files | archive MB | unpacked MB | floor s | ours s | pipreqs s | ours repos/s | "
          "ours MB/s | floor MB/s | pipreqs MB/s | ours/floor | ours/floor wall | "
          "pipreqs/ours | ours peak MiB |")
    print("|" + "---|" * 14)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            tree, archive = make_repo(tmp, f"repo{n}", n, seed=n)
            unpacked = sum(p.stat().st_size for p in Path(tree).rglob("*") if p.is_file()) / 1e6
            t = measure(n, archive, tree, rounds, pip_rounds)
            cpu = {k: statistics.median(c for c, _ in v) for k, v in t.items() if v}
            wall = {k: statistics.median(w for _, w in v) for k, v in t.items() if v}
            peak = peak_mib(partial(ours, archive))
            mb = os.path.getsize(archive) / 1e6
            pip = cpu.get("pipreqs")
            pip_cells = (f"{pip:.3f}", f"{unpacked / pip:.1f}", f"{pip / cpu['ours']:.1f}×") \
                if pip else ("—", "—", "—")
            print(f"| {n:,} | {mb:.1f} | {unpacked:.1f} | {cpu['floor']:.3f} | "
                  f"{cpu['ours']:.3f} | {pip_cells[0]} | {1 / cpu['ours']:.2f} | "
                  f"{unpacked / cpu['ours']:.0f} | {unpacked / cpu['floor']:.0f} | "
                  f"{pip_cells[1]} | {cpu['ours'] / cpu['floor']:.2f}× | "
                  f"{wall['ours'] / wall['floor']:.2f}× | {pip_cells[2]} | {peak:.1f} |",
                  flush=True)
            os.remove(archive)


def run_real(folder: str, rounds: int) -> None:
    """Floor and ours over every ``.tar.gz``/``.zip`` in ``folder`` (real archives, e.g. the
    sdists ``bench_real.py`` caches): per-archive CPU medians, summed over the folder."""
    archives = sorted(str(p) for p in Path(folder).iterdir()
                      if p.name.endswith((".tar.gz", ".tgz", ".zip")))
    totals = {"floor": 0.0, "ours": 0.0}
    ratios: list[float] = []
    files = 0
    for archive in archives:
        reps = 5
        got: dict[str, list[float]] = {"floor": [], "ours": []}
        for _ in range(rounds):
            if not archive.endswith(".zip"):
                got["floor"].append(min(timed(partial(floor, archive))[0] for _ in range(reps)))
            got["ours"].append(min(timed(partial(ours, archive))[0] for _ in range(reps)))
        if not got["floor"]:
            continue  # zip: no inflate-only floor of the same kind
        cpu = {k: statistics.median(v) for k, v in got.items()}
        for k in totals:
            totals[k] += cpu[k]
        ratios.append(cpu["ours"] / cpu["floor"])
        files += extract_archive(archive, LIMITS).n_files
    mb = sum(os.path.getsize(a) for a in archives if not a.endswith(".zip")) / 1e6
    print(f"{len(ratios)} archives, {mb:.1f} MB compressed, {files:,} files")
    print(f"floor {totals['floor']:.3f} s, ours {totals['ours']:.3f} s CPU (sums of medians); "
          f"ours/floor over the folder {totals['ours'] / totals['floor']:.2f}×; "
          f"per archive median {statistics.median(ratios):.2f}×, "
          f"90th percentile {statistics.quantiles(ratios, n=10)[-1]:.2f}×, max {max(ratios):.2f}×")


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
    parser.add_argument("--real", metavar="DIR",
                        help="floor vs ours on the real archives in DIR")
    parser.add_argument("--sizes", type=int, nargs="*", help="override repository sizes")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--pipreqs-rounds", type=int, default=None,
                        help="pipreqs runs per size (default: --rounds; 0 skips pipreqs)")
    parser.add_argument("--repo-cap-mib", type=int, default=None,
                        help="raise Limits.max_repo_bytes (default 256 MiB stops the 100k repo)")
    args = parser.parse_args()
    if args.repo_cap_mib:
        global LIMITS
        LIMITS = Limits(max_repo_bytes=args.repo_cap_mib << 20)
    if args.fixtures:
        run_fixtures()
        return
    if args.real:
        run_real(args.real, args.rounds)
        return
    sizes = args.sizes or SIZES + ([100_000] if args.huge else [])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average at start {os.getloadavg()[0]:.1f}\n")
    run_sizes(sizes, args.rounds, args.pipreqs_rounds)
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
