"""Which files are dependency manifests or install instructions, and reading them all.

``parse_manifests`` takes every relevant blob of a repository at once because
includes (``-r base.txt``, ``setup.py`` reading ``requirements.txt``) point at
other files; includes are resolved inside the repository only, with cycles and
depth bounded, and never touch the disk.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from crawler.manifests_reqs import ReqLine, install_commands, parse_requirement_text
from crawler.manifests_setup import parse_setup_cfg, parse_setup_py
from crawler.manifests_toml import parse_environment_yml, parse_pipfile, parse_pyproject
from crawler.records import FileError

_REQ_FILE = re.compile(r"^(?:[\w.\-]*[-_.])?requirements?(?:[-_.][\w.\-]*)?\.(?:txt|in|pip)$", re.I)
_REQ_DIRS = frozenset({"requirements", "requirement", "reqs", "deps"})
_CONDA_FILE = re.compile(r"^(?:environment|env|conda)[\w.\-]*\.ya?ml$", re.I)
_README = re.compile(r"^(?:readme|install)[\w.\-]*$", re.I)

PARSERS: dict[str, Callable[[bytes], list[ReqLine]]] = {
    "conda": parse_environment_yml,
    "pipfile": parse_pipfile,
    "pyproject": parse_pyproject,
    "setup.cfg": parse_setup_cfg,
    "setup.py": parse_setup_py,
}


@dataclass(frozen=True, slots=True)
class Dep:
    """A named distribution found in one file, as declared or installed."""

    name: str
    spec: str
    file: str
    text: str
    source: str  # "declared" or "installed"


@dataclass(slots=True)
class ManifestResult:
    """Everything read from manifests and install commands of one repository."""

    deps: list[Dep] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    projects: set[str] = field(default_factory=set)  # names the repository's manifests define


def manifest_kind(path: str) -> str:
    """``requirements``/``setup.py``/``setup.cfg``/``pyproject``/``pipfile``/``conda``, or ""."""
    folder, _, base = path.rpartition("/")
    low = base.lower()
    parent = folder.rpartition("/")[2].lower()
    if _REQ_FILE.match(base) or (parent in _REQ_DIRS and low.endswith((".txt", ".in"))):
        return "requirements"
    if low in ("setup.py", "setup.cfg"):
        return low
    if low == "pyproject.toml":
        return "pyproject"
    if base == "Pipfile":
        return "pipfile"
    if _CONDA_FILE.match(base):
        return "conda"
    return ""


def command_kind(path: str) -> str:
    """``shell``/``docker``/``readme`` for files whose install commands are read, else ""."""
    base = path.rpartition("/")[2].lower()
    if base.endswith((".sh", ".bash")):
        return "shell"
    if base.startswith("dockerfile") or base.endswith(".dockerfile"):
        return "docker"
    if _README.match(base):
        return "readme"
    return ""


def readme_code(text: str) -> str:
    """The parts of a README that are commands: fenced/indented blocks, inline code, $-lines."""
    parts = re.findall(r"^[ \t]*(?:```|~~~)[^\n]*\n(.*?)^[ \t]*(?:```|~~~)", text, re.M | re.S)
    parts += [p.replace("\n", " ") for p in re.findall(r"`([^`\n]+(?:\n[^`\n]+)?)`", text)]
    parts += re.findall(r"^(?:    |\t)(.*)$", text, re.M)
    parts += re.findall(r"^[ \t>]*((?:\$|sudo|pip|conda|python|!|%)[^\n]*)$", text, re.M)
    return "\n".join(dict.fromkeys(p.strip() for p in parts))


def install_text(kind: str, data: bytes) -> str:
    """The text of a command file in which ``pip install`` lines are looked for."""
    text = data.decode("utf-8", "replace")
    return readme_code(text) if kind == "readme" else text


def parse_manifests(blobs: Mapping[str, bytes], max_depth: int) -> ManifestResult:
    """Read every manifest in ``blobs`` (repo-relative path → bytes), following includes."""
    result = ManifestResult()
    constraints: dict[str, str] = {}
    done: set[str] = set()
    for path in sorted(blobs):
        kind = manifest_kind(path)
        if kind:
            _read(path, kind, blobs, result, constraints, done, (), max_depth)
    if constraints:
        result.deps = [Dep(d.name, d.spec or constraints.get(d.name, ""), d.file, d.text,
                           d.source) for d in result.deps]
    result.manifests = sorted(done)
    return result


def _read(path: str, kind: str, blobs: Mapping[str, bytes], result: ManifestResult,
          constraints: dict[str, str], done: set[str], stack: tuple[str, ...],
          max_depth: int, constraint_only: bool = False) -> None:
    if path in done and not constraint_only:
        return
    if not constraint_only:
        done.add(path)
    try:
        data = blobs[path]
        lines = (list(parse_requirement_text(data.decode("utf-8", "replace")))
                 if kind == "requirements" else PARSERS[kind](data))
    except Exception as exc:  # noqa: BLE001 - a broken manifest is a record, never a crash
        result.errors.append(FileError(path, f"unparsable {kind}: {type(exc).__name__}: "
                                             f"{str(exc)[:120]}"))
        return
    for line in lines:
        if line.error:
            result.errors.append(FileError(path, line.error))
        elif line.project:
            result.projects.add(line.project)
        elif line.name and constraint_only:
            constraints.setdefault(line.name, line.spec)
        elif line.name:
            result.deps.append(Dep(line.name, line.spec, path, line.text, "declared"))
        elif line.include or line.constraint:
            target = _resolve(path, line.include or line.constraint, blobs, stack, max_depth,
                              result)
            if target:
                _read(target, "requirements", blobs, result, constraints, done,
                      (*stack, path), max_depth, constraint_only or bool(line.constraint))


def _resolve(path: str, include: str, blobs: Mapping[str, bytes], stack: tuple[str, ...],
             max_depth: int, result: ManifestResult) -> str:
    """Repo-relative path of an include, or "" (with an error) when it may not be read."""
    if include.startswith(("/", "~", "$")) or "://" in include:
        result.errors.append(FileError(path, f"include outside the repository: {include}"))
        return ""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), include))
    if target.startswith("../") or target == "..":
        result.errors.append(FileError(path, f"include outside the repository: {include}"))
        return ""
    if target in stack or target == path:
        result.errors.append(FileError(path, f"include cycle: {include}"))
        return ""
    if len(stack) >= max_depth:
        result.errors.append(FileError(path, f"include depth limit reached: {include}"))
        return ""
    if target not in blobs:
        result.errors.append(FileError(path, f"include not found: {include}"))
        return ""
    return target


def parse_install_commands(path: str, kind: str, data: bytes) -> list[Dep]:
    """``pip install`` / ``conda install`` requirements of a shell script, Dockerfile or README."""
    return [Dep(r.name, r.spec, path, r.text[:160], "installed")
            for r in install_commands(install_text(kind, data))]
