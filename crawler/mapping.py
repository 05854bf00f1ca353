"""Import names and declared names → PyPI distributions, from bundled data.

All tables live in ``crawler/data/*.csv`` (sorted, self-checked by
``check_tables``); nothing here ever looks a name up on the network.

Rules (documented in ``docs/bench/extract.md``):

* ``import_map.csv`` maps the longest matching dotted prefix of an import
  (``google.cloud.storage`` → ``google.cloud.*`` → ``google-cloud-storage``;
  ``google.protobuf`` → ``protobuf``; ``mpl_toolkits`` → ``matplotlib``).
  An empty distribution means "provided by the environment" (``google.colab``).
* A name not in the table is *unmapped*: it goes to ``unresolved`` and, when it
  is plausibly a PyPI name (not private, not a generic local-module name from
  ``local_names.txt``), it is also reported as itself, canonicalised.
* ``variants.csv``: an import is attributed to a variant the repository
  declares or installs (``import tensorflow`` + ``tensorflow-gpu`` in
  requirements → ``tensorflow-gpu``), so variants are kept as used.
* A ``google.cloud`` product module with an API-version suffix maps like the
  bare product (``google.cloud.pubsub_v1`` → ``google-cloud-pubsub``).
* ``dist_aliases.csv`` / ``conda_map.csv``: declared names that are not the
  PyPI name (``pytorch`` → ``torch``; ``cudatoolkit`` is not Python); conda
  names by prefix/suffix (``cuda-*``, ``xorg-*``, ``r-*``, ``*-cpp``) are not Python.
* ``frameworks.csv``: distribution → framework family.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

from packaging.utils import canonicalize_name

from crawler.stdlib import read_name_list

_PLAUSIBLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# API-version suffix of a google.cloud product module: _v1, _v2beta1, _v1p3beta1.
_GCLOUD_VERSION = re.compile(r"_v\d+(?:alpha\d*|beta\d*|p\d+(?:alpha|beta)\d*)?$")
# Conda names that are never Python distributions (unless listed in conda_map.csv):
# system libraries, CUDA components, MAGMA builds, X11 libraries, R packages, C++ libraries.
_NOT_PYTHON_PREFIXES = ("lib", "_", "cuda-", "magma-", "xorg-", "r-")
_NOT_PYTHON_SUFFIXES = ("-devel", "-dev", "-cpp")


def read_table(filename: str) -> list[tuple[str, str]]:
    """Rows of a bundled two-column CSV (comment lines and the header skipped)."""
    text = resources.files("crawler.data").joinpath(filename).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return [(row[0], row[1]) for row in csv.reader(lines[1:])]


def _prefix_lookup(table: dict[str, str], name: str) -> str | None:
    if name in table:
        return table[name]
    for key, value in table.items():
        if key.endswith("*") and name.startswith(key[:-1]):
            return value
    return None


class Resolved(NamedTuple):
    """What an import name maps to: a distribution, or nothing (``dist=""``)."""

    dist: str
    key: str  # the table key that matched, "" when unmapped
    mapped: bool


@cache
def import_table() -> dict[str, str]:
    """import name (or ``prefix.*`` template) → distribution."""
    return dict(read_table("import_map.csv"))


@cache
def local_names() -> frozenset[str]:
    """Generic local-module names never assumed to be PyPI names."""
    return frozenset(read_name_list("local_names.txt"))


def resolve_import(dotted: str) -> Resolved:
    """Map a dotted import name to a distribution by longest known prefix.

    A versioned ``google.cloud`` product module maps like the bare product.

    >>> resolve_import("google.cloud.storage").dist
    'google-cloud-storage'
    >>> resolve_import("google.cloud.vision_v1p3beta1").dist
    'google-cloud-vision'
    >>> resolve_import("cv2").dist
    'opencv-python'
    """
    parts = dotted.split(".")
    hit = _longest_prefix(import_table(), _unversioned(parts))
    if hit is not None:
        dist, depth = hit
        return Resolved(dist, ".".join(parts[:depth]), True)
    top = parts[0]
    if plausible_pypi_name(top):
        return Resolved(str(canonicalize_name(top)), "", False)
    return Resolved("", "", False)


def _unversioned(parts: list[str]) -> list[str]:
    """``google.cloud.pubsub_v1`` → ``google.cloud.pubsub`` (API-version modules)."""
    if parts[0] == "google" and len(parts) >= 3 and parts[1] == "cloud":
        bare = _GCLOUD_VERSION.sub("", parts[2])
        if bare:
            return [*parts[:2], bare, *parts[3:]]
    return parts


def _longest_prefix(table: dict[str, str], parts: list[str]) -> tuple[str, int] | None:
    """(distribution, number of parts matched) for the longest key or template."""
    if len(parts) == 1:
        dist = table.get(parts[0])
        return None if dist is None else (dist, 1)
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in table:
            return table[key], i
        if i >= 2:
            template = table.get(".".join(parts[: i - 1]) + ".*")
            if template is not None:
                return template.format(parts[i - 1].replace("_", "-")), i
    return None


def plausible_pypi_name(top: str) -> bool:
    """Whether an unmapped top-level import may be reported as a PyPI name."""
    return bool(_PLAUSIBLE.match(top)) and top.lower() not in local_names()


@cache
def known_tops() -> frozenset[str]:
    """Top-level names of every import in the mapping table (``google`` for ``google.cloud``)."""
    return frozenset(k.split(".", 1)[0] for k in import_table())


def is_known_import(top: str) -> bool:
    """Whether a top-level import name is in the mapping table (a known package)."""
    return top in import_table() or top in known_tops()


@cache
def _variants() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for dist, variant in read_table("variants.csv"):
        out.setdefault(dist, []).append(variant)
    return {k: tuple(v) for k, v in out.items()}


def pick_variant(dist: str, present: set[str]) -> str:
    """The variant of ``dist`` among ``present`` (declared/installed names), or ``dist``."""
    for pattern in _variants().get(dist, ()) if present else ():
        if not pattern.endswith("*"):
            if pattern in present:
                return pattern
            continue
        hits = sorted(p for p in present if p.startswith(pattern[:-1]))
        if hits:
            return hits[0]
    return dist


@cache
def _aliases() -> dict[str, str]:
    return dict(read_table("dist_aliases.csv"))


@cache
def _conda() -> dict[str, str]:
    return dict(read_table("conda_map.csv"))


def declared_name(name: str) -> str:
    """Canonical PyPI name for a name written in a manifest or pip line.

    >>> declared_name("PyTorch")
    'torch'
    """
    canon = str(canonicalize_name(name))
    return _aliases().get(canon, canon)


def conda_name(name: str) -> str:
    """PyPI name for a conda package name; ``""`` when it is not a Python package.

    Rows of ``conda_map.csv`` win; otherwise names starting with ``lib``, ``_``,
    ``cuda-``, ``magma-``, ``xorg-``, ``r-`` or ending in ``-dev``, ``-devel``,
    ``-cpp`` are not Python (``cuda-python`` and ``librosa`` are rows).

    >>> conda_name("cudatoolkit"), conda_name("pytorch"), conda_name("cuda-nvcc")
    ('', 'torch', '')
    """
    low = name.strip().lower()
    if low in _conda():
        return _conda()[low]
    if not low or low.startswith(_NOT_PYTHON_PREFIXES) or low.endswith(_NOT_PYTHON_SUFFIXES):
        return ""
    return declared_name(low)


@cache
def _families() -> dict[str, str]:
    return dict(read_table("frameworks.csv"))


@lru_cache(maxsize=4096)
def family_of(dist: str) -> str:
    """Framework family of a distribution, ``""`` when it is none."""
    return _prefix_lookup(_families(), dist) or ""


def check_tables() -> list[str]:
    """Problems in the bundled tables (unsorted keys, non-canonical names); [] when fine."""
    problems: list[str] = []
    for filename in ("import_map.csv", "variants.csv", "frameworks.csv",
                     "dist_aliases.csv", "conda_map.csv"):
        rows = read_table(filename)
        if rows != sorted(rows):
            problems.append(f"{filename}: rows are not sorted")
        if filename != "variants.csv" and len({k for k, _ in rows}) != len(rows):
            problems.append(f"{filename}: duplicate keys")
        for _, dist in rows:
            plain = dist.replace("{}", "x").rstrip("*")
            if plain and str(canonicalize_name(plain)) != plain:
                problems.append(f"{filename}: {dist!r} is not PEP 503 normalised")
    names = read_name_list("local_names.txt")
    if names != sorted(names):
        problems.append("local_names.txt: not sorted")
    return problems
