"""Evidence → tools: declared and installed dependencies and resolved imports, merged.

``merge_tools`` is the last step of extraction (``crawler.extract``): it drops the
repository's own names, the standard library and the repository's own modules,
maps imports to distributions, and says for every tool where it came from.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from crawler.local_modules import LocalIndex
from crawler.manifests import Dep
from crawler.mapping import family_of, known_tops, pick_variant, resolve_import
from crawler.records import FRAMEWORK_FAMILIES, Tool
from crawler.stdlib import is_stdlib

# Imported by a setup.py only to package the repository; still reported when declared,
# or when imported by the repository's code.
BUILD_TOOLS = frozenset({"setuptools", "setuptools-scm", "wheel", "pbr", "versioneer"})
_TEST_DIRS = frozenset({"test", "tests", "testing", "external_tests", "unit_tests"})
_TEST_FILE = re.compile(r"(?:test_.*|.*_test|.*_tests|conftest)\.py")
# test inputs, often code that is broken or imports nothing real on purpose
_FIXTURE_DIRS = frozenset({"testdata", "test_data", "fixtures", "test_fixtures"})
_PLATFORM_SUFFIXES = frozenset({"cpu", "gpu", "cuda", "macos", "osx", "mac", "win", "windows",
                                "linux"})


@dataclass(frozen=True, slots=True)
class Merged:
    """What ``merge_tools`` found."""

    tools: tuple[Tool, ...]
    frameworks: tuple[str, ...]
    unresolved: tuple[str, ...]


@dataclass(slots=True)
class _Evidence:
    sources: set[str]
    specs: list[tuple[str, str]]  # (file, spec) from declarations and install lines
    files: set[str]
    via: list[str]


def _record(evidence: dict[str, _Evidence], name: str) -> _Evidence:
    """The evidence kept for ``name``, created empty on first use."""
    ev = evidence.get(name)
    if ev is None:
        ev = evidence[name] = _Evidence(set(), [], set(), [])
    return ev


def _is_own(name: str, own: Collection[str]) -> bool:
    """The project itself, also as a platform build of it (``sciann-macos``)."""
    if name in own:
        return True
    base, _, suffix = name.rpartition("-")
    return suffix in _PLATFORM_SUFFIXES and base in own


def is_test_file(path: str) -> bool:
    """Whether a repo-relative path is test code (``tests/``, ``test_*.py``, ``conftest.py``)."""
    folder, _, base = path.rpartition("/")
    return bool(_TEST_FILE.fullmatch(base)) or not _TEST_DIRS.isdisjoint(folder.split("/"))


def merge_tools(deps: list[Dep], imports: dict[str, list[str]], index: LocalIndex,
                own: Collection[str] = ()) -> Merged:
    """Declared/installed deps and imports (dotted name → importing files) → tools.

    ``own`` holds the repository's own distribution names (its ``setup(name=...)``,
    ``[project] name``, top-level packages): a README's ``pip install <itself>`` or a
    requirements line naming the repository is not a tool it uses.
    """
    evidence: dict[str, _Evidence] = {}
    for dep in deps:
        if _is_own(dep.name, own):
            continue
        ev = _record(evidence, dep.name)
        ev.sources.add(dep.source)
        ev.files.add(dep.file)
        if dep.spec:
            ev.specs.append((dep.file, dep.spec) if dep.source == "declared"
                            else ("~" + dep.file, dep.spec))
        via = f"{dep.file}: {dep.text}"
        if via not in ev.via:
            ev.via.append(via)
    present = set(evidence)
    # unmapped "jaxtap" is the declared "jax-tap": same name without its separators;
    # unmapped "prctl" is the declared "python-prctl" (also "py-" prefixes)
    declared = sorted(name for name, ev in evidence.items() if "declared" in ev.sources)
    squashed = {name.removeprefix(pre).replace("-", ""): name
                for pre in ("python-", "py-", "") for name in declared}
    unresolved: set[str] = set()
    in_code: set[str] = set()  # distributions imported by code other than tests
    tests: dict[str, bool] = {}  # is_test_file, once per importing file
    known = known_tops()
    for dotted in sorted(imports):
        top = dotted.split(".", 1)[0]
        if is_stdlib(top):
            continue
        files = index.foreign(dotted, imports[dotted], top in known)
        if not files:
            continue
        res = resolve_import(dotted)
        if res.mapped and not res.dist:
            continue
        dist = pick_variant(res.dist, present) if res.mapped else res.dist
        guess = "same name"
        if not res.mapped and dist not in present:
            dist = squashed.get(dist.replace("-", ""), dist)
            guess = f"declared as {dist}" if dist in present else guess
        if dist in own:  # the project itself, under a package_dir or src name
            continue
        if not res.mapped and dist not in present:
            unresolved.add(top)
            if all(not _FIXTURE_DIRS.isdisjoint(f.split("/")[:-1]) for f in files):
                continue  # an unknown name imported only by test inputs: a guess too far
        if dist in BUILD_TOOLS:  # packaging machinery in setup.py is not a research tool
            files = [f for f in files if f.rpartition("/")[2] != "setup.py"]
        if not dist or not files:
            continue
        ev = _record(evidence, dist)
        ev.sources.add("imported")
        ev.files.update(files)
        via = f"import {res.key}" if res.mapped else f"import {top} (unmapped: {guess})"
        if via not in ev.via:
            ev.via.append(via)
        if dist not in in_code and not all(
                tests[f] if f in tests else tests.setdefault(f, is_test_file(f)) for f in files):
            in_code.add(dist)
    tools = tuple(
        Tool(name, tuple(sorted(ev.sources)), min(ev.specs)[1] if ev.specs else "",
             tuple(sorted(ev.files)), tuple(ev.via))
        for name, ev in sorted(evidence.items()))
    return Merged(tools, frameworks_of(tools, in_code), tuple(sorted(unresolved)))


def frameworks_of(tools: tuple[Tool, ...], in_code: Collection[str]) -> tuple[str, ...]:
    """Framework families, from the first of these that names any: tools imported by
    code other than tests (``in_code``), tools imported by tests, declared tools,
    installed-only tools. A framework imported by a comparison test only, or listed
    in a requirements file next to code that never imports it, is not the
    repository's framework (the tool itself is still listed)."""
    family: dict[str, str] = {}  # each tool looked up once, whatever its sources
    tiers = [[t.name for t in tools if t.name in in_code],
             *([t.name for t in tools if s in t.sources]
               for s in ("imported", "declared", "installed"))]
    for names in tiers:
        fams = {family[n] if n in family else family.setdefault(n, family_of(n))
                for n in names} - {""}
        if fams:
            return tuple(f for f in FRAMEWORK_FAMILIES if f in fams)
    return ()
