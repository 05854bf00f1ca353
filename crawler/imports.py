"""Import statements of Python source and notebooks, without executing anything.

The scanner is one compiled regular expression over the file's *bytes* that
finds the lines starting with an import statement (also after ``try:`` /
``else:`` / ``if ...:``) and captures the common one-name forms; other forms are
parsed per line (cached). Lines inside multi-line strings (``import x`` in a
docstring) are dropped by tokenising strings and comments up to the last hit.
Working on bytes makes it independent of the file's encoding (PEP 263
gbk/latin-1 files, undecodable junk) and of Python 2 syntax. It agrees with
``ast`` on valid Python (checked by the tests) and is several times faster,
which is what lets extraction run near the decompression floor.
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
# Strings and comments, skipped in one possessive run up to the next string literal that
# may span lines (triple-quoted, or single-quoted with a backslash-newline) -- group 1.
_DQ1 = rb'"(?!"")[^"\\\n]*+(?:\\[^\n][^"\\\n]*+)*+"'  # one-line strings
_SQ1 = rb"'(?!'')[^'\\\n]*+(?:\\[^\n][^'\\\n]*+)*+'"
_MAY_SPAN = b"|".join([_DQ3, _SQ3, _DQ, _SQ])
_NEXT_STRING = re.compile(rb"(?:[^\"'#]++|\#[^\n]*+|" + _DQ1 + rb"|" + _SQ1 + rb"|(?!" + _MAY_SPAN
                          + rb")[\"'])*+(" + _MAY_SPAN + rb")")
_STMT_AT = re.compile(rb"[ \t]*" + _LEAD + rb"(?P<stmt>(?:import|from)[ \t\\(][^\n]*)")
# A line holding an import statement (after the newline before it). Groups: 1 = the
# module of ``import a.b [as c]``; 2, 3 = module and name of ``from a import b [as c]``;
# 4 = any other line starting with import/from, or with try/else/if/... and holding
# "import" (parsed by _line_statement). Possessive quantifiers (no backtracking on
# blanks) and the [efit] guard keep the cost per line that is no import near the floor.
_B_ID = rb"[A-Za-z_]\w*+(?:\.[A-Za-z_]\w*+)*+"
_B_END = rb"(?:[ \t]++as[ \t]++\w++)?[ \t\r\f\v]*+(?=\n|\#|\Z)"
_LINE = re.compile(
    rb"\n[ \t]*+(?=[efit])(?:"
    rb"import[ \t]++(" + _B_ID + rb")" + _B_END
    + rb"|from[ \t]++(" + _B_ID + rb")[ \t]++import[ \t]++(\w++)" + _B_END
    + rb"|((?:import|from)[ \t\\(][^\n]*"
    rb"|(?:try|else|finally|except|(?:el)?if)\b[^\n]*import[^\n]*))")
_DYNAMIC = re.compile(rb"\bimportorskip\(\s*[rbuRBU]?[\"']"
                      rb"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[\"']")
_DOTTED = r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*"
_IMPORT = re.compile(r"^import\s+(?P<names>.+)$", re.S)
_FROM = re.compile(rf"^from\s+(?P<mod>\.*\s*(?:{_DOTTED})?)\s*import\s*(?P<names>.*)$", re.S)
_NAME = re.compile(rf"^({_DOTTED})(?:\s+as\s+\w+)?$", re.S)
_NOT_SIMPLE = re.compile(r"[#;\\(),]")
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_WORD = re.compile(r"\w+")
# ``import a.b [as c]`` / ``from a.b import c [as d]`` on bytes, in one match: what
# ``_simple_names`` accepts (blanks are exactly those of ``str.split`` in ASCII).
_B_WS = rb"[ \t\n\r\x0b\x0c\x1c-\x1f]+"
_B_DOTTED = rb"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_B_ALIAS = rb"(?:" + _B_WS + rb"as" + _B_WS + rb"[A-Za-z0-9_]+)?(?:" + _B_WS + rb")?"
_B_SIMPLE = re.compile(rb"import" + _B_WS + rb"(" + _B_DOTTED + rb")" + _B_ALIAS + rb"|from"
                       + _B_WS + rb"(" + _B_DOTTED + rb")" + _B_WS + rb"import" + _B_WS + rb"("
                       + _B_DOTTED + rb")" + _B_ALIAS)


@dataclass(frozen=True, slots=True)
class NotebookCode:
    """The Python source of a notebook's code cells, and its shell lines."""

    source: bytes
    shell_lines: tuple[str, ...]


def scan_imports(source: bytes) -> set[str]:
    """Absolute imported names of one file, dotted (``from a import b`` → ``a.b``).

    Relative imports are dropped. Never raises on any input. One search finds
    every line that starts with an import statement (or with ``try:``/``if ...:``
    and holds ``import``) and parses the common one-name forms in its groups;
    string literals and comments are tokenised only up to the last such line,
    and only when a multi-line string can start before it.

    >>> sorted(scan_imports(b"import os, numpy as np\\nfrom torch.nn import functional\\n"))
    ['numpy', 'os', 'torch.nn.functional']
    """
    last_word = source.rfind(b"import")
    if last_word == -1:
        return set()
    dynamic = _dynamic_imports(source) if b"importorskip(" in source else []
    text = b"\n" + source  # every line, the first too, starts after a newline
    # every statement line holds "import" (or continues onto one that does), so nothing
    # after the last line holding the word can start one: most of a file's bytes
    end = text.find(b"\n", last_word + 7)
    hits = list(_LINE.finditer(text, 0, len(text) if end == -1 else end))
    if not hits:
        return set(dynamic)
    last = hits[-1].start()
    continued = text.find(b"\\\n", 0, last + 1) != -1 or text.find(b"\\\r\n", 0, last + 1) != -1
    inside = _multiline_spans(text, last, continued) if continued or _may_span(text, last) \
        else []
    inside_end = inside[-1][1] if inside else -1
    found: list[str] = []
    for hit in hits:
        if inside_end > 0 or continued:
            at = hit.start()
            if at < inside_end and _covered(inside, at + 1):
                continue
            if continued and (text.endswith(b"\\", 0, at) or text.endswith(b"\\\r", 0, at)):
                continue  # the rest of a backslash-continued line, not a statement of its own
        imported, mod, name, other = hit.groups()
        if imported is not None:
            found.append(imported.decode())
        elif mod is not None:
            found.append(f"{mod.decode()}.{name.decode()}")
        else:
            parsed = _line_statement(other)
            if parsed is not None:
                names, stmt = parsed
                found.extend(names if stmt is None else _continued(text, stmt, hit.end()))
    return set(found + dynamic)


def _dynamic_imports(source: bytes) -> list[str]:
    """Module names given as string constants to ``pytest.importorskip``: a test's declared
    need of a package. (``importlib.import_module``/``__import__`` are not read: they mostly
    load plugins and the repository's own modules by name.)"""
    return [m.decode() for m in _DYNAMIC.findall(source)]


def _continued(source: bytes, stmt: bytes, eol: int) -> tuple[str, ...]:
    """Names of a statement continued after its line (open parenthesis, backslash)."""
    if b"(" in stmt and b")" not in stmt:
        close = source.find(b")", eol)
        if close != -1:
            stmt += source[eol : close + 1]
    if stmt.rstrip().endswith(b"\\"):
        nxt = source.find(b"\n", eol + 1)
        stmt += b" " + source[eol + 1 : nxt if nxt != -1 else None]
    return _statement_names(stmt)


@lru_cache(maxsize=4096)
def _line_statement(line: bytes) -> tuple[tuple[str, ...], bytes | None] | None:
    """``(names, None)`` for a one-line import statement, ``((), stmt)`` for one that
    continues on the next lines, None for a line that is no import statement."""
    match = _STMT_AT.match(line)
    if match is None:
        return None
    stmt = match[1]
    if (b"(" in stmt and b")" not in stmt) or stmt.rstrip().endswith(b"\\"):
        return (), stmt
    return _statement_names(stmt), None


def clear_caches() -> None:
    """Forget parsed statement lines (a bounded cache; benchmarks clear it per repository)."""
    _line_statement.cache_clear()


def _may_span(source: bytes, end: int) -> bool:
    """Whether a triple-quoted string can start before ``end`` (backslash-newlines are
    checked by the caller); if not, skip tokenising."""
    return source.find(b'"""', 0, end + 3) != -1 or source.find(b"'''", 0, end + 3) != -1


def _multiline_spans(source: bytes, end: int, continued: bool) -> list[tuple[int, int]]:
    """(start, end) of string literals spanning lines, tokenised from the top up to ``end``.

    Each anchored match skips comments and one-line strings in C and stops after the
    next literal that may span lines, so Python sees only those (docstrings). The
    matches see no further than just past ``end`` (a string running on is cut there,
    still covering ``end + 1``), unless a quoted string may continue with a
    backslash-newline: then the whole file, as such a string must close to count."""
    spans = []
    pos, size = 0, len(source) if continued else min(len(source), end + 2)
    while pos < size:
        tok = _NEXT_STRING.match(source, pos, size)
        if tok is None or tok.start(1) > end:
            break
        if b"\n" in tok[1]:
            spans.append(tok.span(1))
        pos = tok.end()
    return spans


def _covered(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(spans, (pos, 1 << 62)) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


def _statement_names(stmt: bytes) -> tuple[str, ...]:
    one = _B_SIMPLE.fullmatch(stmt)
    if one is not None:
        imported, mod, name = one.groups()
        return ((imported.decode(),) if imported is not None
                else (f"{mod.decode()}.{name.decode()}",))
    text = stmt.decode("ascii", "replace")
    simple = _simple_names(text.split()) if not _NOT_SIMPLE.search(text) else None
    if simple is not None:
        return simple
    return tuple(name for part in _split_statements(text) for name in _names_of(part))


def _simple_names(words: list[str]) -> tuple[str, ...] | None:
    """``import a.b [as c]`` / ``from a.b import c [as d]`` without the regexes; None otherwise.

    Gives exactly what ``_names_of`` gives for these shapes (the tests compare them).
    """
    n = len(words)
    if words[0] == "import" and (n == 2 or (n == 4 and words[2] == "as"
                                             and _WORD.fullmatch(words[3]))):
        return (words[1],) if _DOTTED_NAME.fullmatch(words[1]) else None
    if words[0] == "from" and n in (4, 6) and words[2] == "import" and (
            n == 4 or (words[4] == "as" and _WORD.fullmatch(words[5]))):
        if _DOTTED_NAME.fullmatch(words[1]) and _DOTTED_NAME.fullmatch(words[3]):
            return (f"{words[1]}.{words[3]}",)
    return None


def _split_statements(text: str) -> Iterator[str]:
    text = text.split("#", 1)[0].replace("\\\n", " ").replace("\\", " ")
    for piece in text.split(";"):
        piece = piece.strip()
        if piece.startswith(("import", "from")):
            yield piece


def _clean(dotted: str) -> str:
    return "".join(dotted.split())


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


_SHELL_ASSIGN = re.compile(r"\w+\s*=\s*[!%]")  # files = !ls
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
        if bare.startswith(("!", "%")) or (("!" in bare or "%" in bare)
                                           and _SHELL_ASSIGN.match(bare)):
            shell.append(bare.lstrip("!%").split("=", 1)[-1].lstrip(" !%")
                         if not bare.startswith(("!", "%")) else bare.lstrip("!%"))
            code.append("")
        elif bare.endswith("?") and not bare.startswith("#"):
            code.append("")
        else:
            code.append(line)
    code.append("")
