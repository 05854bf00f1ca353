"""requirements.txt lines and ``pip install`` / ``conda install`` command lines.

Our own small reader of pip's line grammar (comments, continuations, options,
``-e``/VCS/URL lines, markers, ``--hash``) on top of ``packaging``; it never
opens a file itself: ``-r``/``-c`` includes are returned to the caller, which
resolves them inside the repository only.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from crawler.mapping import conda_name, declared_name

_COMMENT = re.compile(r"(^|\s)#.*$")
_EGG = re.compile(r"#egg=([A-Za-z0-9_.\-]+)")
_ARCHIVE = re.compile(
    r"([A-Za-z0-9_.]+?)-(\d[^-/]*?)(?:-[^/]*)?\.(?:whl|tar\.gz|tgz|zip|tar\.bz2)$"
)
_VALUE_OPTS = frozenset(
    "-i --index-url --extra-index-url -f --find-links --trusted-host -t --target --prefix "
    "--root --src --upgrade-strategy --platform --python-version --implementation --abi "
    "--global-option --install-option --config-settings -C --progress-bar --log --cache-dir "
    "--timeout --retries --proxy --exists-action -n --name -p --channel --only-binary "
    "--no-binary".split()
)
_PIP_CMD = re.compile(
    r"(?:^|[\s;&|(`!%$])(?:sudo\s+(?:-\S+\s+)*)?(?:\S*python[\d.]*\s+-m\s+)?"
    r"(?P<tool>pip[\d.]*|conda|mamba|micromamba)\s+install\s+(?P<args>[^\n;&|`)]*)"
)
_NOT_NAMES = frozenset({"pip", "setuptools", "wheel"})
_CONTINUED = re.compile(r"\\\r?\n")
_PLACEHOLDER = re.compile(r"XX|<[A-Za-z_][^<>=]*>|[{}$]|\.\.\.")
_SPACED_PLACEHOLDER = re.compile(r"(?:(?<=\s)|^)<[A-Za-z_][^<>=\n]*>")
_OPTION = re.compile(
    r"^(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=\s*|\s+|(?=\S))(.+)$")
_INLINE_OPTS = re.compile(r"\s--?[A-Za-z][\w-]*(?:[=\s]\S+)?")
_CONDA_EQ = re.compile(r"(?<=[\w\]])\s*=(?=[\d*])")
# The common shapes ``name``, ``name[extra]``, ``name>=1,<2``, ``name ~= 1.0`` (plain release
# numbers only); anything else (markers, URLs, pre-releases, wildcards, odd syntax) goes to
# ``packaging``. ``_simple_requirement`` gives exactly what ``packaging`` gives (tested).
_PEP508_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_ONE_SPEC = r"(~=|==|!=|<=|>=|<|>)[ \t]*([0-9]+(?:\.[0-9]+)*)"
_SIMPLE_REQ = re.compile(
    rf"(?P<name>{_PEP508_NAME})[ \t]*"
    rf"(?:\[[ \t]*{_PEP508_NAME}(?:[ \t]*,[ \t]*{_PEP508_NAME})*[ \t]*\][ \t]*)?"
    rf"(?P<specs>{_ONE_SPEC}(?:[ \t]*,[ \t]*{_ONE_SPEC})*)?"
)
_SPEC_PARTS = re.compile(_ONE_SPEC)
# Characters that make shlex.split differ from str.split (quotes, escapes, comments, and
# whitespace that str.split knows but shlex does not).
_SHLEX_SPECIAL = re.compile(r"[\"'\\#\x0b\x0c\x1c-\x1f]|[^\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class ReqLine:
    """One parsed line: a requirement (``name`` set), an include, or nothing useful."""

    name: str = ""  # canonical PyPI name
    spec: str = ""
    text: str = ""  # the line as written, for provenance
    include: str = ""  # path of a -r include
    constraint: str = ""  # path of a -c include
    error: str = ""
    project: str = ""  # canonical name of the project a setup.py/setup.cfg/pyproject defines


def logical_lines(text: str) -> Iterator[str]:
    """Lines with comments removed and backslash continuations joined."""
    buf = ""
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw).rstrip()
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        line, buf = (buf + line).strip(), ""
        if line:
            yield line
    if buf.strip():
        yield buf.strip()


def parse_requirement_text(text: str) -> Iterator[ReqLine]:
    """Every useful line of a requirements file.

    >>> [r.name for r in parse_requirement_text("torch>=1.4\\n-e .\\nsklearn")]
    ['torch', 'scikit-learn']
    """
    for line in logical_lines(text):
        parsed = parse_requirement_line(line)
        if parsed is not None:
            yield parsed


def parse_requirement_line(line: str) -> ReqLine | None:
    """One logical requirements line → ``ReqLine``, ``None`` for ignorable lines."""
    opt = _OPTION.match(line)
    if opt:
        flag, value = opt.group(1), opt.group(2).strip()
        if flag in ("-r", "--requirement"):
            return ReqLine(include=value, text=line)
        if flag in ("-c", "--constraint"):
            return ReqLine(constraint=value, text=line)
        return _from_target(value, line)
    if line.startswith("-"):
        return None
    line = (_INLINE_OPTS.sub("", " " + line) if "-" in line else line).strip()  # --hash=...
    return _from_target(line, line)


def _from_target(target: str, text: str) -> ReqLine | None:
    """A requirement, a VCS/URL (named from #egg= or the repo), or a local path (None)."""
    egg = _EGG.search(target)
    if egg:
        return ReqLine(declared_name(egg.group(1).split("[", 1)[0]), "", text)
    if " @ " in target:
        return _requirement(target, text)
    if "://" in target and "@" not in target.split("://", 1)[0]:
        return _from_url(target, text)
    if target.startswith((".", "/", "~", "$", "file:")) or target.endswith((".whl", ".tar.gz")):
        arch = _ARCHIVE.search(target)
        return ReqLine(declared_name(arch.group(1)), f"=={arch.group(2)}", text) if arch else None
    return _requirement(target, text)


def _requirement(target: str, text: str) -> ReqLine:
    simple = _simple_requirement(target)
    if simple is not None:
        return ReqLine(declared_name(simple[0]), simple[1], text)
    try:
        req = Requirement(target)
    except InvalidRequirement:
        fixed = _CONDA_EQ.sub("==", target)  # conda style "torch=1.4"
        try:
            req = Requirement(fixed)
        except InvalidRequirement:
            return ReqLine(text=text, error=f"unparsable requirement: {text[:80]}")
    return ReqLine(declared_name(req.name), str(req.specifier), text)


def _simple_requirement(target: str) -> tuple[str, str] | None:
    """``(name, str(specifier))`` as ``packaging.requirements.Requirement`` gives them, for
    the common simple shapes; None for anything else (the caller then asks ``packaging``).

    >>> _simple_requirement("torch>=1.4, <2"), _simple_requirement("x; python_version<'3'")
    (('torch', '<2,>=1.4'), None)
    """
    m = _SIMPLE_REQ.fullmatch(target)
    if m is None:
        return None
    specs = m["specs"]
    if not specs:
        return m["name"], ""
    parts = _SPEC_PARTS.findall(specs)
    ops = {op for op, _ in parts}
    if len(ops) != len(parts) or any(op == "~=" and "." not in v for op, v in parts):
        return None  # duplicates are merged by packaging; "~=1" is invalid: let it decide
    return m["name"], ",".join(sorted(op + v for op, v in parts))


def _from_url(url: str, text: str) -> ReqLine | None:
    path = url.split("://", 1)[1].split("#", 1)[0].split("?", 1)[0]
    arch = _ARCHIVE.search(path)
    if arch:
        return ReqLine(declared_name(arch.group(1)), f"=={arch.group(2)}", text)
    parts = [p for p in path.split("@", 1)[0].rstrip("/").split("/") if p]
    if len(parts) < 2:
        return None
    name = re.sub(r"\.git$", "", parts[2] if len(parts) > 2 and "github" in parts[0] else parts[-1])
    return ReqLine(declared_name(name), "", text) if re.match(r"^[\w.\-]+$", name) else None


def install_commands(text: str) -> Iterator[ReqLine]:
    """Requirements named by ``pip install`` / ``conda install`` commands in free text.

    >>> [r.name for r in install_commands("!pip install -q torch==1.4 'timm>=0.4' -e .")]
    ['torch', 'timm']
    """
    if "install" not in text:
        return
    joined = _CONTINUED.sub(" ", text) if "\\" in text else text
    # a command ends with its line; most lines have none, and a README repeats some
    for line in dict.fromkeys(joined.split("\n")):
        if "install" not in line:
            continue
        for m in _PIP_CMD.finditer(line):
            conda = not m.group("tool").startswith("pip")
            for token in _tokens(m.group("args")):
                parsed = _conda_token(token) if conda else _from_target(token, token)
                if parsed and parsed.name and parsed.name not in _NOT_NAMES:
                    yield ReqLine(parsed.name, parsed.spec, m.group(0).strip())


def _tokens(args: str) -> Iterator[str]:
    args = _SPACED_PLACEHOLDER.sub(" ", args)  # pip install -e <path to repository>
    if _SHLEX_SPECIAL.search(args) is None:
        words = args.split()  # what shlex gives for such text, much faster
    else:
        try:
            words = shlex.split(args, comments=True)
        except ValueError:
            words = args.split()
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word in ("-r", "--requirement", "-c", "--constraint") or word in _VALUE_OPTS:
            skip = True
        elif word.startswith("-") and word not in ("-e", "--editable"):
            continue
        elif word.startswith(("{", "$", "<", ">", "2>")) or word.endswith((".txt", ".in")) \
                or _PLACEHOLDER.search(word):
            continue  # redirections, files, and templates (mxnet-cuXXmkl, torch==<version>)
        elif word not in ("-e", "--editable"):
            yield word


def _conda_token(token: str) -> ReqLine | None:
    token = token.split("::")[-1]
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", token)
    if not m:
        return None
    name = conda_name(m.group(1))
    if not name:
        return None
    return ReqLine(name, conda_spec(m.group(2)), token)


def conda_spec(version: str) -> str:
    """A conda MatchSpec version as a PEP 440 specifier.

    >>> conda_spec("=1.4=py37"), conda_spec("==1.4"), conda_spec(">=1.18"), conda_spec("1.2")
    ('==1.4.*', '==1.4', '>=1.18', '==1.2')
    """
    v = version.strip()
    if not v:
        return ""
    if v.startswith("=="):
        return "==" + v[2:].split("=")[0]
    if v.startswith("="):
        ver = v[1:].split("=")[0]
        return f"=={ver}" if ver.endswith("*") else f"=={ver}.*"
    if v[0].isdigit():
        return "==" + v.split("=")[0].split()[0]
    return v
