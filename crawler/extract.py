"""Repository → ``Extraction``: the tools it declares, imports and installs.

Two phases, so archives can be streamed: ``Collector.add`` sees each member
once (every path for counts and the local-module index; the bytes of relevant
members, which are scanned for imports at once and then dropped, except small
manifests kept for include resolution); ``Collector.finish`` resolves imports
against the complete file list and merges everything into ``Tool`` records.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from crawler import archive, archive_tar, archive_zip
from crawler.errors import ConfigError, CorruptArchive
from crawler.imports import notebook_code, scan_imports
from crawler.local_modules import LocalIndex
from crawler.manifests import Dep, command_kind, install_text, manifest_kind, parse_manifests
from crawler.manifests_reqs import install_commands
from crawler.merge import merge_tools
from crawler.records import Extraction, FileError
from crawler.stdlib import is_stdlib

MiB = 1 << 20
_INCLUDE_CANDIDATE_BYTES = 64 * 1024
_INCLUDE_BUDGET = 8 * MiB
_CODE = (".py", ".pyw", ".ipynb")
# Every name that manifest_kind/command_kind accept ends or starts like this
# (crawler/manifests.py); anything else is skipped without running their regexes.
_MAYBE_SUFFIXES = (".txt", ".in", ".pip", ".cfg", ".toml", ".yml", ".yaml", ".sh", ".bash",
                   ".dockerfile")
_MAYBE_PREFIXES = ("pipfile", "dockerfile", "readme", "install")
_CODE_KIND_PREFIXES = ("setup.", "dockerfile", "readme", "install")


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on what one repository may cost."""

    max_member_bytes: int = 8 * MiB  # largest single file read
    max_repo_bytes: int = 256 * MiB  # decompressed bytes read per repository
    max_members: int = 500_000  # files per repository
    max_include_depth: int = 5  # nested -r includes


class Collector:
    """Accumulates one repository's members; ``finish`` builds the ``Extraction``."""

    def __init__(self, limits: Limits | None = None, own: Iterable[str] = ()) -> None:
        self.limits = limits or Limits()
        self.own = {str(canonicalize_name(n)) for n in own}  # e.g. the crawled repo's name
        self.index = LocalIndex()
        self.imports: dict[str, list[str]] = {}
        self.blobs: dict[str, bytes] = {}
        self.installed: list[Dep] = []
        self.errors: list[FileError] = []
        self.n_files = self.n_py = self.n_nb = 0
        self._candidate_bytes = 0

    def wants(self, path: str) -> bool:
        """Count a regular file, register it in the local-module index, and say whether
        its bytes are needed (readers call this once per regular member)."""
        self.n_files += 1
        self.index.add(path)
        low = path.lower()
        if low.endswith(_CODE):
            if low.endswith(".ipynb"):
                self.n_nb += 1
            else:
                self.n_py += 1  # .py, .pyw
            return True
        base = low.rpartition("/")[2]
        if not base.endswith(_MAYBE_SUFFIXES) and not base.startswith(_MAYBE_PREFIXES):
            return False  # no manifest or command file has another name
        if manifest_kind(path) or command_kind(path):
            return True
        return low.endswith((".txt", ".in")) and self._candidate_bytes < _INCLUDE_BUDGET

    def add(self, path: str, data: bytes) -> None:
        """Analyse the bytes of a relevant member (one bad file never stops the repo)."""
        if len(data) > self.limits.max_member_bytes:
            self.errors.append(FileError(path, f"file too large ({len(data)} bytes)"))
            return
        try:
            self._add(path, data)
        except Exception as exc:  # noqa: BLE001 - per-file isolation is the point
            self.errors.append(FileError(path, f"{type(exc).__name__}: {str(exc)[:160]}"))

    def _add(self, path: str, data: bytes) -> None:
        low = path.lower()
        if low.endswith((".py", ".pyw")):
            if data.find(b"\x00", 0, 8192) != -1:
                self.errors.append(FileError(path, "binary content, not Python source"))
                return
            self._record_imports(path, scan_imports(data))
        elif low.endswith(".ipynb"):
            try:
                nb = notebook_code(data)
            except ValueError as exc:
                self.errors.append(FileError(path, f"not a readable notebook: {str(exc)[:120]}"))
                return
            self._record_imports(path, scan_imports(nb.source))
            self._record_installed(path, "\n".join(nb.shell_lines))
        if low.endswith(_CODE) and not low.rpartition("/")[2].startswith(_CODE_KIND_PREFIXES):
            return  # a code file is a manifest or command file only by these names
        kind = command_kind(path)
        if kind:
            self._record_installed(path, install_text(kind, data))
        if manifest_kind(path):
            self.blobs[path] = data
        elif low.endswith((".txt", ".in")) and len(data) <= _INCLUDE_CANDIDATE_BYTES:
            self._candidate_bytes += len(data)
            self.blobs[path] = data

    def _record_imports(self, path: str, names: set[str]) -> None:
        imports = self.imports
        for name in names:
            files = imports.get(name)
            if files is None:
                if is_stdlib(name.partition(".")[0]):
                    continue  # never a tool: keep no file list for it
                files = imports[name] = []
            files.append(path)

    def _record_installed(self, path: str, text: str) -> None:
        for r in install_commands(text):
            self.installed.append(Dep(r.name, r.spec, path, r.text[:160], "installed"))

    def finish(self) -> Extraction:
        """Resolve includes and imports, merge evidence, and build the record."""
        manifests = parse_manifests(self.blobs, self.limits.max_include_depth)
        own = manifests.projects | self.own | {str(canonicalize_name(p))
                                               for p in self.index.root_packages()}
        merged = merge_tools(manifests.deps + self.installed, self.imports, self.index, own)
        return Extraction(
            tools=merged.tools, frameworks=merged.frameworks, unresolved=merged.unresolved,
            own=tuple(sorted(own)),
            errors=tuple(sorted(set(self.errors + manifests.errors),
                                key=lambda e: (e.path, e.reason))),
            manifests=tuple(manifests.manifests), n_files=self.n_files,
            n_py_files=self.n_py, n_notebooks=self.n_nb)


def extract_files(files: Iterable[tuple[str, bytes]], limits: Limits | None = None) -> Extraction:
    """Extraction from (repo-relative path, bytes) pairs: the pure core.

    >>> ex = extract_files([("train.py", b"import torch, cv2")])
    >>> [t.name for t in ex.tools], ex.frameworks
    (['opencv-python', 'torch'], ('pytorch',))
    """
    collector = Collector(limits)
    for path, data in files:
        if collector.wants(path):
            collector.add(path, data)
    return collector.finish()


def _consume(entries: Iterator[archive.Entry], collector: Collector) -> Extraction:
    """Feed a reader's entries to ``collector`` (which the reader's ``wants`` already
    counted and indexed) and finish."""
    add, errors = collector.add, collector.errors
    for path, data, error in entries:
        if error:
            errors.append(FileError(path, error))
        elif data is not None:
            add(path, data)
    return collector.finish()


def extract_archive(path: str, limits: Limits | None = None, own: Iterable[str] = ()
                    ) -> Extraction:
    """Extraction of a ``.tar.gz``/``.tgz``/``.zip`` read as a stream, never unpacked.

    Raises ``CorruptArchive`` when the file is not a readable archive.
    """
    collector = Collector(limits, own)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return _consume(archive_zip.iter_zip(path, collector.wants, collector.limits), collector)
    if magic.startswith(b"\x1f\x8b") or posixpath.splitext(path)[1].lower() == ".tar":
        return _consume(archive_tar.iter_tar(path, collector.wants, collector.limits), collector)
    raise CorruptArchive(f"{path}: not a .tar.gz or .zip archive (unknown file signature); "
                         "give a repository folder or a .tar.gz/.tgz/.zip archive")


def extract_path(path: str, limits: Limits | None = None, own: Iterable[str] = ()
                 ) -> Extraction:
    """Extraction of a directory or an archive file.

    Raises ``ConfigError`` when ``path`` does not exist and ``CorruptArchive``
    when it is a file that is not a readable archive.
    """
    if os.path.isdir(path):
        collector = Collector(limits, own)
        return _consume(archive.iter_directory(path, collector.wants, collector.limits),
                        collector)
    if not os.path.exists(path):
        raise ConfigError(f"{path}: no such file or directory; give a repository folder "
                          "or a .tar.gz/.zip archive")
    return extract_archive(path, limits, own)
