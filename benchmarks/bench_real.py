"""Extraction accuracy on real research code published as sdists, against hand-made labels.

    .venv/bin/python benchmarks/bench_real.py                 # download (cached), score, print
    .venv/bin/python benchmarks/bench_real.py --pipreqs       # also pipreqs 0.5.0, offline
    .venv/bin/python benchmarks/bench_real.py --only lpips,nflows --json /tmp/real.json
    .venv/bin/python benchmarks/bench_real.py --fill-sha      # record sha256 of new label rows
    .venv/bin/python benchmarks/bench_real.py --set heldout   # only rows with "set": "heldout"
    .venv/bin/python benchmarks/bench_real.py --set heldout6  # round 6 (heldout5, heldout4, ...)

Each package of ``benchmarks/real_labels.json`` is fetched once with
``pip download --no-deps --no-binary :all: NAME==VERSION -d CACHE`` (CACHE defaults to
``/tmp/toolcensus-real``, outside the repository: other people's code is never committed),
checked against the recorded sha256, and given as is (a ``.tar.gz``/``.zip`` with one top
folder, like a GitHub archive) to ``crawler.extract.extract_archive``. The labels were made by
reading each package's code and manifests (rules: ``docs/bench/real.md``). pipreqs needs
``.venv/bin/pip install --no-deps pipreqs==0.5.0 yarg==0.1.9 docopt==0.6.2`` and runs on an
unpacked copy in a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.extract import extract_archive  # noqa: E402
from crawler.records import Extraction  # noqa: E402

LABELS = Path(__file__).resolve().parent / "real_labels.json"
IMPORT_CODES = ("i", "t")  # evidence codes of labelled tools that some code imports


@dataclass
class Score:
    """One package's comparison of a tool set with its labels."""

    name: str
    expected: set[str]
    got: set[str]
    fw_expected: tuple[str, ...] = ()
    fw_got: tuple[str, ...] = ()
    details: dict[str, str] = field(default_factory=dict)  # tool -> why it was reported

    @property
    def tp(self) -> int:
        """True positives."""
        return len(self.expected & self.got)

    @property
    def fp(self) -> set[str]:
        """Reported but not labelled."""
        return self.got - self.expected

    @property
    def fn(self) -> set[str]:
        """Labelled but not reported."""
        return self.expected - self.got

    @property
    def precision(self) -> float:
        """tp / reported (1.0 when nothing is reported)."""
        return self.tp / len(self.got) if self.got else 1.0

    @property
    def recall(self) -> float:
        """tp / labelled (1.0 when nothing is labelled)."""
        return self.tp / len(self.expected) if self.expected else 1.0


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(row: dict[str, Any], cache: Path) -> Path:
    """The package's sdist in ``cache`` (downloaded with pip when absent), sha-checked."""
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / row["file"] if row.get("file") else None
    if target is None or not target.exists():
        before = set(cache.iterdir())
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary",
                        ":all:", "--quiet", f"{row['name']}=={row['version']}", "-d", str(cache)],
                       check=True)
        new = sorted(set(cache.iterdir()) - before)
        if target is None or not target.exists():
            if len(new) != 1:
                raise RuntimeError(f"{row['name']}: cannot tell which file pip saved: {new}")
            target = new[0]
    if row.get("sha256") and sha256(target) != row["sha256"]:
        raise RuntimeError(f"{target}: sha256 differs from the label file's")
    return target


def labelled(row: dict[str, Any], imported_only: bool = False) -> set[str]:
    """Canonical labelled tool names (only those some code imports, if asked)."""
    tools: dict[str, str] = row["tools"]
    return {str(canonicalize_name(n)) for n, why in tools.items()
            if not imported_only or any(c in IMPORT_CODES for c in _codes(why))}


def _codes(why: str) -> set[str]:
    return {part.strip().split(" ")[0] for part in why.split(",")}


def score_ours(row: dict[str, Any], ex: Extraction) -> Score:
    """Our extraction against the labels, with the evidence of every reported tool."""
    details = {t.name: f"{'/'.join(t.sources)}: {'; '.join(t.via)[:200]} "
                       f"[{', '.join(t.files[:3])}{' ...' if len(t.files) > 3 else ''}]"
               for t in ex.tools}
    return Score(row["name"], labelled(row), {t.name for t in ex.tools},
                 tuple(sorted(row["frameworks"])), tuple(sorted(ex.frameworks)), details)


def unpack(archive: Path, dest: str) -> str:
    """Unpack an sdist into ``dest`` (for pipreqs, which needs a tree); returns its root."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    tops = os.listdir(dest)
    return os.path.join(dest, tops[0]) if len(tops) == 1 else dest


def pipreqs_names(tree: str) -> set[str]:
    """pipreqs 0.5.0 offline: imports -> names via its mapping file."""
    from pipreqs import pipreqs

    names = pipreqs.get_pkg_names(pipreqs.get_all_imports(tree))
    return {str(canonicalize_name(n)) for n in names}


def summary(scores: list[Score], imported_only: dict[str, set[str]] | None = None
            ) -> dict[str, float]:
    """Micro and macro precision/recall and framework exact-match rate.

    With ``imported_only``, recall is over the labelled tools that some code imports
    (what an import-only tool such as pipreqs can find); precision stays over all labels.
    """
    n = max(len(scores), 1)
    tp = sum(s.tp for s in scores)
    got = sum(len(s.got) for s in scores)
    exp_sets = ({s.name: s.expected for s in scores} if imported_only is None
                else imported_only)
    rec = [Score(s.name, exp_sets[s.name], s.got) for s in scores]
    rtp = sum(r.tp for r in rec)
    exp = sum(len(r.expected) for r in rec)
    return {"micro_precision": tp / got if got else 1.0,
            "micro_recall": rtp / exp if exp else 1.0,
            "macro_precision": sum(s.precision for s in scores) / n,
            "macro_recall": sum(r.recall for r in rec) / n,
            "framework_exact": sum(s.fw_expected == s.fw_got for s in scores) / n,
            "packages": len(scores), "labelled": exp, "reported": got, "tp": tp}


def run(rows: list[dict[str, Any]], cache: Path, with_pipreqs: bool) -> dict[str, Any]:
    """Fetch, extract and score every row; optionally pipreqs on the same code."""
    ours: list[Score] = []
    pip: list[Score] = []
    errors: dict[str, list[str]] = {}
    for row in rows:
        archive = fetch(row, cache)
        ex = extract_archive(str(archive))
        ours.append(score_ours(row, ex))
        errors[row["name"]] = [f"{e.path}: {e.reason}" for e in ex.errors]
        if with_pipreqs:
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    got = pipreqs_names(unpack(archive, tmp))
                except Exception as exc:  # noqa: BLE001 - pipreqs crashing is a finding
                    got = set()
                    errors[row["name"]].append(f"pipreqs crashed: {type(exc).__name__}: {exc}")
            pip.append(Score(row["name"], labelled(row), got))
    imp = {row["name"]: labelled(row, imported_only=True) for row in rows}
    out: dict[str, Any] = {
        "ours": summary(ours), "ours_imported_subset": summary(ours, imp),
        "packages": [{"name": s.name, "precision": s.precision, "recall": s.recall,
                      "n_labelled": len(s.expected), "n_reported": len(s.got), "n_correct": s.tp,
                      "frameworks_expected": s.fw_expected, "frameworks_got": s.fw_got,
                      "false_positives": {n: s.details.get(n, "") for n in sorted(s.fp)},
                      "false_negatives": sorted(s.fn), "file_errors": errors[s.name]}
                     for s in ours]}
    if with_pipreqs:
        out["pipreqs"] = summary(pip)
        out["pipreqs_imported_subset"] = summary(pip, imp)
        for entry, s in zip(out["packages"], pip, strict=True):
            entry["pipreqs_precision"], entry["pipreqs_recall"] = s.precision, s.recall
            entry["pipreqs_fp"], entry["pipreqs_fn"] = sorted(s.fp), sorted(s.fn)
    return out


def print_report(out: dict[str, Any]) -> None:
    """Markdown tables of the results (per package, totals, every error)."""
    pip = "pipreqs" in out
    print("| package | labelled/reported/correct | P | R | frameworks (label) | frameworks (ours) |"
          + (" pipreqs P | pipreqs R |" if pip else ""))
    print("|---|---|---|---|---|---|" + ("---|---|" if pip else ""))
    for p in out["packages"]:
        fw_e, fw_g = ",".join(p["frameworks_expected"]), ",".join(p["frameworks_got"]) or "-"
        mark = "" if p["frameworks_expected"] == p["frameworks_got"] else " **≠**"
        counts = f"{p['n_labelled']}/{p['n_reported']}/{p['n_correct']}"
        line = (f"| {p['name']} | {counts} | {p['precision']:.3f} | {p['recall']:.3f} | {fw_e} | "
                f"{fw_g}{mark} |")
        if pip:
            line += f" {p['pipreqs_precision']:.3f} | {p['pipreqs_recall']:.3f} |"
        print(line)
    print()
    for key in ("ours", "ours_imported_subset", "pipreqs", "pipreqs_imported_subset"):
        if key in out:
            s = out[key]
            fw = "" if key.startswith("pipreqs") else (
                f"framework exact {s['framework_exact']:.3f} ")
            print(f"{key}: micro P {s['micro_precision']:.3f} R {s['micro_recall']:.3f}, "
                  f"macro P {s['macro_precision']:.3f} R {s['macro_recall']:.3f}, "
                  f"{fw}({s['packages']} packages, "
                  f"{s['labelled']} labelled, {s['reported']} reported, {s['tp']} correct)")
    print("\nErrors (ours):")
    for p in out["packages"]:
        for name, why in p["false_positives"].items():
            print(f"- {p['name']}: FP {name} <- {why}")
        for name in p["false_negatives"]:
            print(f"- {p['name']}: FN {name}")
        if p["frameworks_expected"] != p["frameworks_got"]:
            print(f"- {p['name']}: FRAMEWORK label {p['frameworks_expected']} "
                  f"ours {p['frameworks_got']}")
        for err in p["file_errors"]:
            print(f"- {p['name']}: file error {err}")


def fill_sha(cache: Path) -> None:
    """Download rows without a sha256 and record the file name and digest in the labels."""
    data = json.loads(LABELS.read_text())
    for row in data["packages"]:
        if not row.get("sha256"):
            path = fetch(row, cache)
            row["file"], row["sha256"] = path.name, sha256(path)
    LABELS.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default="/tmp/toolcensus-real", type=Path)
    parser.add_argument("--pipreqs", action="store_true", help="also score pipreqs 0.5.0")
    parser.add_argument("--only", default="", help="comma-separated package names")
    parser.add_argument("--set", default="", dest="subset",
                        help="only rows whose 'set' field is this (rows without one are "
                             "'training': the corpus the extractor was fixed on)")
    parser.add_argument("--json", default="", help="write the full result to this file")
    parser.add_argument("--fill-sha", action="store_true")
    args = parser.parse_args()
    if args.fill_sha:
        fill_sha(args.cache)
        return
    rows = json.loads(LABELS.read_text())["packages"]
    if args.subset:
        rows = [r for r in rows if r.get("set", "training") == args.subset]
    if args.only:
        wanted = set(args.only.split(","))
        rows = [r for r in rows if r["name"] in wanted]
    out = run(rows, args.cache, args.pipreqs)
    print_report(out)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=list) + "\n")


if __name__ == "__main__":
    main()
