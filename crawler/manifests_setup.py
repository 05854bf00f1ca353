"""setup.py (read with ``ast``, never executed) and setup.cfg."""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterator
from typing import TypeGuard

from packaging.utils import canonicalize_name

from crawler.manifests_reqs import ReqLine, parse_requirement_text

_KEYWORDS = ("install_requires", "extras_require")
_CONTAINERS = frozenset({"dict", "list", "tuple", "set", "sorted"})
_REPO_URL = re.compile(r"(?:https?://|git\+https?://|git@)?(?:www\.)?"
                       r"(?:github\.com|gitlab\.com|bitbucket\.org)[/:][\w.\-]+/([\w.\-]+?)/?$")
_PROJECT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._\-]*[A-Za-z0-9])?")


def parse_setup_py(data: bytes) -> list[ReqLine]:
    """Requirements of a ``setup.py``: ``install_requires`` and ``extras_require``.

    ``setup(name=...)`` gives a line with ``project`` set (the repository's own name).
    Module-level names assigned from literals are followed (``REQUIRED = [...]``),
    lists can be concatenated, and every string literal ending in ``.txt`` that a
    ``setup.py`` mentions (``open('requirements.txt')``) is returned as an include.
    Raises ``SyntaxError`` when the file does not parse.
    """
    tree = ast.parse(data)
    env = _assignments(tree)
    out: list[ReqLine] = []
    includes: list[ReqLine] = []
    joined: dict[int, str] = {}  # id of a path's last literal -> the literals joined
    for node in ast.walk(tree):  # parents before children: joins are seen before literals
        if isinstance(node, ast.Call | ast.BinOp):
            _note_join(node, joined)
        if isinstance(node, ast.Call) and _call_name(node.func) == "setup":
            for arg, value in _keywords(node.keywords, env, 0):
                if arg in _KEYWORDS:
                    out.extend(_requirements(_strings(value, env, 0)))
                elif arg == "name":
                    out.extend(project_line(next(_strings(value, env, 0), ""), "setup(name=...)"))
                elif arg == "url":
                    out.extend(project_line(repo_name(next(_strings(value, env, 0), "")),
                                        "setup(url=...)"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"[\w./\-]+\.txt", node.value) and "req" in node.value.lower():
                path = joined.get(id(node), node.value)
                includes.append(ReqLine(include=path, text=f"setup.py reads {path}"))
    return out + includes


def _note_join(node: ast.Call | ast.BinOp, joined: dict[int, str]) -> None:
    """``os.path.join(HERE, 'requirements', 'base.txt')`` or ``HERE / 'requirements' /
    'base.txt'``: remember ``requirements/base.txt`` for the last literal."""
    if isinstance(node, ast.Call):
        parts = node.args if _call_name(node.func) == "join" else []
    else:
        parts = []
        left: ast.expr = node
        while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div):
            parts.insert(0, left.right)
            left = left.left
    literals = [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    if len(literals) > 1 and parts and isinstance(parts[-1], ast.Constant) \
            and id(parts[-1]) not in joined:
        joined[id(parts[-1])] = "/".join(literals)


def project_line(name: str, text: str) -> list[ReqLine]:
    """The line naming the project a manifest defines (none for an unusable name)."""
    name = name.strip()
    return [ReqLine(text=f"{text}: {name}"[:120], project=str(canonicalize_name(name)))] \
        if _PROJECT_NAME.fullmatch(name) else []


def repo_name(url: str) -> str:
    """``name`` of a ``https://github.com/owner/name`` (GitLab, Bitbucket) URL, else ""."""
    m = _REPO_URL.match(url.strip())
    return m.group(1).removesuffix(".git") if m else ""


def _call_name(func: ast.expr) -> str:
    """``setup`` of ``setup(...)`` and ``setuptools.setup(...)``."""
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_dict_call(node: ast.expr) -> TypeGuard[ast.Call]:
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict"


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names and what they hold, following later additions to them:
    ``EXTRAS["dev"] = [...]``, ``REQS += [...]``, ``REQS.extend([...])``/``.append(...)``."""
    env: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    env[target.id] = node.value
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id in env:
                    env[target.value.id] = _with_key(env[target.value.id], target.slice,
                                                     node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            env[node.target.id] = node.value
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) \
                and isinstance(node.target, ast.Name) and node.target.id in env:
            env[node.target.id] = ast.BinOp(env[node.target.id], ast.Add(), node.value)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Attribute) and call.func.attr in ("extend", "append") \
                    and isinstance(call.func.value, ast.Name) and call.func.value.id in env \
                    and len(call.args) == 1:
                name, added = call.func.value.id, call.args[0]
                if call.func.attr == "append":
                    added = ast.List([added], ast.Load())
                env[name] = ast.BinOp(env[name], ast.Add(), added)
    return env


def _with_key(held: ast.expr, key: ast.expr, value: ast.expr) -> ast.expr:
    """A dict literal or ``dict(...)`` call with one more string key."""
    if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return held
    if isinstance(held, ast.Dict):
        return ast.Dict([*held.keys, key], [*held.values, value])
    if _is_dict_call(held):
        return ast.Call(held.func, held.args, [*held.keywords, ast.keyword(key.value, value)])
    return held


def _keywords(keywords: list[ast.keyword], env: dict[str, ast.expr], depth: int
              ) -> Iterator[tuple[str, ast.expr]]:
    """(name, value) of a call's keywords, ``**info`` unpacked when ``info`` is (a module
    name bound to) a dict literal or a ``dict(...)`` call: ``setup(**setup_info)``."""
    for kw in keywords:
        if kw.arg is not None:
            yield kw.arg, kw.value
        elif depth < 8:
            yield from _unpacked(kw.value, env, depth + 1)


def _unpacked(node: ast.expr, env: dict[str, ast.expr], depth: int
              ) -> Iterator[tuple[str, ast.expr]]:
    while isinstance(node, ast.Name) and node.id in env and depth < 8:
        node, depth = env[node.id], depth + 1
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**base, ...}
                yield from _unpacked(value, env, depth + 1)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                yield key.value, value
    elif _is_dict_call(node):
        for arg in node.args:
            yield from _unpacked(arg, env, depth + 1)
        yield from _keywords(node.keywords, env, depth)


def _strings(node: ast.expr, env: dict[str, ast.expr], depth: int) -> Iterator[str]:
    """String literals an expression evaluates to (lists, dicts, +, names, ``dict(k=...)``,
    ``list(...)``/``sorted(...)``, comprehensions over them)."""
    if depth > 8:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        for elt in node.elts:
            yield from _strings(elt, env, depth + 1)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _strings(value, env, depth + 1)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _strings(node.left, env, depth + 1)
        yield from _strings(node.right, env, depth + 1)
    elif isinstance(node, ast.Name) and node.id in env:
        yield from _strings(env[node.id], env, depth + 1)
    elif isinstance(node, ast.Starred):
        yield from _strings(node.value, env, depth + 1)
    elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in _CONTAINERS:
        for arg in [*node.args, *(kw.value for kw in node.keywords)]:
            yield from _strings(arg, env, depth + 1)
    elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        for gen in node.generators:  # {k: v for k, v in REQS.items()}: REQS's strings
            source = gen.iter
            if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) \
                    and source.func.attr in ("items", "values") and not source.args:
                source = source.func.value
            yield from _strings(source, env, depth + 1)


def _requirements(strings: Iterator[str]) -> Iterator[ReqLine]:
    for text in strings:
        for line in parse_requirement_text(text):
            if line.name or line.error:
                yield line


def parse_setup_cfg(data: bytes) -> list[ReqLine]:
    """``[options] install_requires``/``[options.extras_require]`` of a setup.cfg (and the
    ``[metadata] name`` as a ``project`` line)."""
    if b"install_requires" not in data and b"extras_require" not in data \
            and b"name" not in data and b"url" not in data:
        return []  # an sdist's [egg_info] tag block: nothing to read
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(data.decode("utf-8", "replace"))
    texts: list[str] = []
    if parser.has_option("options", "install_requires"):
        texts.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        texts.extend(v for _, v in parser.items("options.extras_require"))
    out: list[ReqLine] = []
    if parser.has_option("metadata", "name"):
        out.extend(project_line(parser.get("metadata", "name"), "[metadata] name"))
    if parser.has_option("metadata", "url"):
        out.extend(project_line(repo_name(parser.get("metadata", "url")), "[metadata] url"))
    for text in texts:
        if text.strip().startswith("file:"):
            for path in text.strip()[5:].split(","):
                out.append(ReqLine(include=path.strip(), text=text.strip()))
            continue
        out.extend(r for r in parse_requirement_text(text) if r.name or r.error)
    return out
