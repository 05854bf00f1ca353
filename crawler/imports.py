"""Import statements of Python source and notebooks, without executing anything.

The scanner is a single compiled regular expression over the file's *bytes*:
it skips comments and string literals (so ``import x`` inside a docstring is not
an import) and captures statements that start a line (also after ``try:`` /
``else:`` / ``if ...:``). Working on bytes makes it independent of the file's
encoding (PEP 263 gbk/latin-1 files, undecodable junk) and of Python 2 syntax.
It agrees with ``ast`` on valid Python (checked by the tests) and is several
times faster, which is what lets extraction run near the decompression floor.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_DQ3 = rb'"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*(?:"""|\Z)'
_SQ3 = rb"'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z)"
_DQ = rb'"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"'
_SQ = rb"'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'"
_LEAD = rb"(?:(?:try|else|finally|except\b[^\n:]*|(?:el)?if\b[^\n:]*)[ \t]*:[ \t]*)?"
_STRINGS = re.compile(b"|".join([rb"\#[^\n]*", _DQ3, _SQ3, _DQ, _SQ]))
_STMT_AT = re.compile(rb"[ \t]*" + _LEAD + rb"(?P<stmt>(?:import|from)[ \t\\(][^\n]*)")
# "import" preceded on its line by blanks only, by "from ..." or by a ":" -- reversed.
_REV_CANDIDATE = re.compile(rb"tropmi(?:[ \t]*(?:\n|\Z)|[^\n]*?morf[ \t]*(?:\n|\Z)|[^\n]*:)")
_DOTTED = r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*"
_IMPORT = re.compile(r"^import\s+(?P<names>.+)$", re.S)
_FROM = re.compile(rf"^from\s+(?P<mod>\.*\s*(?:{_DOTTED})?)\s*import\s*(?P<names>.*)$", re.S)
_NAME = re.compile(rf"^({_DOTTED})(?:\s+as\s+\w+)?$", re.S)


@dataclass(frozen=True, slots=True)
class NotebookCode:
    """The Python source of a notebook's code cells, and its shell lines."""

    source: bytes
    shell_lines: tuple[str, ...]


def scan_imports(source: bytes) -> set[str]:
    """Absolute imported names of one file, dotted (``from a import b`` → ``a.b``).

    Relative imports are dropped. Never raises on any input. Lines containing
    ``import`` are found with a plain byte search; string literals and comments
    are tokenised only up to the last of them, to drop lines inside strings.

    >>> sorted(scan_imports(b"import os, numpy as np\\nfrom torch.nn import functional\\n"))
    ['numpy', 'os', 'torch.nn.functional']
    """
    if b"import" not in source:
        return set()
    candidates = _candidates(source)
    if not candidates:
        return set()
    end = candidates[-1].start()
    inside = _multiline_spans(source, end) if _may_span(source, end) else []
    found: set[str] = set()
    for match in candidates:
        if inside and _covered(inside, match.start()):
            continue
        stmt = match[1]
        if b"(" in stmt and b")" not in stmt:
            close = source.find(b")", match.end())
            if close != -1:
                stmt += source[match.end() : close + 1]
        if b"\\" in stmt and stmt.rstrip().endswith(b"\\"):
            nxt = source.find(b"\n", match.end() + 1)
            stmt += b" " + source[match.end() + 1 : nxt if nxt != -1 else None]
        found.update(_statement_names(stmt))
    return found


def _may_span(source: bytes, end: int) -> bool:
    """Whether a string starting before ``end`` can span lines; if not, skip tokenising."""
    return (source.find(b'"""', 0, end + 3) != -1 or source.find(b"'''", 0, end + 3) != -1
            or source.find(b"\\\n", 0, end) != -1)


def _candidates(source: bytes) -> list[re.Match[bytes]]:
    """Statement matches at the start of every line that contains ``import``.

    Lines are found by searching the *reversed* bytes for ``tropmi`` followed (that
    is, preceded in the file) by only blanks up to the line start, by ``from`` at
    the line start, or by a ``:`` (``try: import x``): a literal-led search that
    runs in C, where a per-line regex or a Python loop per occurrence of
    ``import`` (most of which sit in strings and identifiers) would not. Each line
    found is then checked from its start with the statement pattern.
    """
    last = len(source) - 6
    starts = {source.rfind(b"\n", 0, last - m.start()) + 1
              for m in _REV_CANDIDATE.finditer(source[::-1])}
    out = []
    for start in sorted(starts):
        match = _STMT_AT.match(source, start)
        if match:
            out.append(match)
    return out


def _multiline_spans(source: bytes, end: int) -> list[tuple[int, int]]:
    """(start, end) of string literals spanning lines, tokenised from the top up to ``end``."""
    spans = []
    for tok in _STRINGS.finditer(source, 0, len(source)):
        if tok.start() > end:
            break
        if b"\n" in tok.group():
            spans.append(tok.span())
    return spans


def _covered(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


@lru_cache(maxsize=4096)
def _statement_names(stmt: bytes) -> tuple[str, ...]:
    text = stmt.decode("ascii", "replace")
    return tuple(name for part in _split_statements(text) for name in _names_of(part))


def _split_statements(text: str) -> Iterator[str]:
    text = text.split("#", 1)[0].replace("\\\n", " ").replace("\\", " ")
    for piece in text.split(";"):
        piece = piece.strip()
        if piece.startswith(("import", "from")):
            yield piece


def _clean(dotted: str) -> str:
    return re.sub(r"\s+", "", dotted)


def _names_of(stmt: str) -> Iterator[str]:
    m = _FROM.match(stmt)
    if m:
        mod = _clean(m.group("mod"))
        if not mod or mod.startswith("."):
            return
        names = m.group("names").strip().strip("()").split(",")
        plain = [n for n in (_NAME.match(x.strip()) for x in names) if n]
        if not plain or m.group("names").strip().startswith("*"):
            yield mod
        for n in plain:
            yield f"{mod}.{_clean(n.group(1))}"
        return
    im = _IMPORT.match(stmt)
    if im:
        for item in im.group("names").strip().strip("()").split(","):
            hit = _NAME.match(item.strip())
            if hit:
                yield _clean(hit.group(1))


_SHELL_MAGICS = ("%%bash", "%%sh", "%%script", "%%writefile", "%%html", "%%javascript",
                 "%%js", "%%latex", "%%markdown", "%%perl", "%%ruby", "%%svg", "%%file")


def notebook_code(data: bytes) -> NotebookCode:
    """Code cells of an ``.ipynb`` (nbformat 3 or 4) as Python, magics blanked.

    ``!cmd`` / ``%cmd`` lines and shell cell magics are returned as shell lines
    (for ``pip install``); everything else is kept line for line.
    Raises ``ValueError`` when the file is not a notebook.
    """
    nb = json.loads(data)
    if not isinstance(nb, dict):
        raise ValueError("not a notebook: top level is not an object")
    cells = nb.get("cells")
    if cells is None:
        cells = [c for ws in nb.get("worksheets", []) for c in ws.get("cells", [])]
    code: list[str] = []
    shell: list[str] = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", cell.get("input", ""))
        text = "".join(src) if isinstance(src, list) else str(src)
        _split_cell(text, code, shell)
    return NotebookCode("\n".join(code).encode("utf-8", "replace"), tuple(shell))


def _split_cell(text: str, code: list[str], shell: list[str]) -> None:
    lines = text.splitlines()
    if lines and lines[0].lstrip().startswith(_SHELL_MAGICS):
        shell.extend(lines[1:])
        return
    for line in lines:
        bare = line.strip()
        if bare.startswith(("!", "%")) or re.match(r"^\w+\s*=\s*[!%]", bare):
            shell.append(bare.lstrip("!%").split("=", 1)[-1].lstrip(" !%")
                         if not bare.startswith(("!", "%")) else bare.lstrip("!%"))
            code.append("")
        elif bare.endswith("?") and not bare.startswith("#"):
            code.append("")
        else:
            code.append(line)
    code.append("")


_CODE_SUFFIXES = (".py", ".pyw", ".pyx", ".so", ".pyd")


class LocalIndex:
    """The repository's own importable modules, built from its file list.

    A name imported by a file is the repository's own when, from the importer's
    directory, any ancestor directory (or its ``src/``), or a directory holding
    ``setup.py``/``pyproject.toml``/``setup.cfg``, it finds a module ``name.py``
    or a regular package ``name/__init__.py``. A directory without
    ``__init__.py`` (a namespace package) hides a *known* third-party name only
    when the import reaches into a submodule that exists there
    (``from datasets.coco import X`` with ``datasets/coco.py``), because a real
    installed package wins over a namespace portion. Unknown names are also
    hidden by any directory or module of that name anywhere (pipreqs' rule).
    A folder with no Python files (``configs/yaml/``) never hides anything.
    """

    def __init__(self) -> None:
        self.modules: dict[str, set[str]] = {}
        self.namespaces: dict[str, dict[str, set[str]]] = {}
        self.any_names: set[str] = set()
        self.project_roots: set[str] = set()
        self._cache: dict[tuple[str, str, bool], bool] = {}
        self._last_folder = ""

    def add(self, path: str) -> None:
        """Register one repo-relative file path."""
        folder, _, base = path.rpartition("/")
        if folder != self._last_folder:  # members of one folder mostly arrive together
            self._last_folder = folder
            if folder:
                self.any_names.update(folder.split("/"))
        if base in ("setup.py", "pyproject.toml", "setup.cfg"):
            self.project_roots.add(folder)
        if not base.endswith(_CODE_SUFFIXES):
            return
        parts = path.split("/")
        stem = base.split(".", 1)[0]
        self.any_names.add(stem)
        parent = "/".join(parts[:-1])
        if stem == "__init__" and len(parts) > 1:
            self.modules.setdefault("/".join(parts[:-2]), set()).add(parts[-2])
        else:
            self.modules.setdefault(parent, set()).add(stem)
        names = [*parts[:-1], stem]
        for i in range(len(names) - 1):
            ns = self.namespaces.setdefault("/".join(names[:i]), {})
            ns.setdefault(names[i], set()).add(names[i + 1])

    def is_local(self, dotted: str, importer: str, known: bool) -> bool:
        """Whether ``dotted`` imported by file ``importer`` is the repository's own."""
        folder = importer.rpartition("/")[0]
        key = (dotted, folder, known)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._lookup(dotted.split("."), folder, known)
        return hit

    def _lookup(self, parts: list[str], folder: str, known: bool) -> bool:
        top = parts[0]
        if not known and top in self.any_names:
            return True
        for root in self._roots(folder):
            if top in self.modules.get(root, ()):
                return True
            children = self.namespaces.get(root, {}).get(top)
            if children is not None and (not known or (len(parts) > 1 and parts[1] in children)):
                return True
        return False

    def _roots(self, folder: str) -> list[str]:
        roots: list[str] = []
        parts = folder.split("/") if folder else []
        for i in range(len(parts), -1, -1):
            roots.append("/".join(parts[:i]))
        for base in (*roots, *sorted(self.project_roots)):
            roots.append(f"{base}/src" if base else "src")
        return [*roots, *sorted(self.project_roots)]
