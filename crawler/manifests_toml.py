"""pyproject.toml (PEP 621, Poetry, PDM, dependency groups), Pipfile, environment.yml."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

import yaml

from crawler.manifests_reqs import ReqLine, conda_spec, parse_requirement_text
from crawler.manifests_setup import project_line, repo_name
from crawler.mapping import conda_name, declared_name

_NOT_DEPS = frozenset({"python", "pip"})


def _pep508(strings: Any) -> Iterator[ReqLine]:
    if isinstance(strings, list):
        for item in strings:
            if isinstance(item, str):
                yield from (r for r in parse_requirement_text(item) if r.name or r.error)


def _table_deps(table: Any) -> Iterator[ReqLine]:
    """Poetry/Pipfile style ``name = "spec"`` or ``name = {version = "..."}`` tables."""
    if not isinstance(table, dict):
        return
    for name, value in table.items():
        if name.lower() in _NOT_DEPS:
            continue
        spec = value if isinstance(value, str) else ""
        if isinstance(value, dict):
            spec = str(value.get("version", ""))
        spec = "" if spec.strip() == "*" else spec.strip()
        yield ReqLine(declared_name(name), spec, f"{name} = {value!r}"[:120])


def parse_pyproject(data: bytes) -> list[ReqLine]:
    """Dependencies of a pyproject.toml (all groups; build-system requires excluded)."""
    doc = tomllib.loads(data.decode("utf-8", "replace"))
    project = doc.get("project", {})
    out = list(_pep508(project.get("dependencies")))
    for group in (project.get("optional-dependencies") or {}).values():
        out.extend(_pep508(group))
    for group in (doc.get("dependency-groups") or {}).values():
        out.extend(_pep508(group))
    tool = doc.get("tool", {})
    poetry = tool.get("poetry", {})
    out.extend(_table_deps(poetry.get("dependencies")))
    out.extend(_table_deps(poetry.get("dev-dependencies")))
    for group in (poetry.get("group") or {}).values():
        out.extend(_table_deps(group.get("dependencies") if isinstance(group, dict) else None))
    for group in (tool.get("pdm", {}).get("dev-dependencies") or {}).values():
        out.extend(_pep508(group))
    name = str(project.get("name") or poetry.get("name") or "").strip()
    own = declared_name(name) if name else ""
    urls = project.get("urls") if isinstance(project.get("urls"), dict) else {}
    repos = {repo_name(str(u)) for u in [*urls.values(), poetry.get("repository") or ""]} - {""}
    return [r for r in out if r.name != own] + project_line(name, "project name") + [
        line for repo in sorted(repos) for line in project_line(repo, "project URL")]


def parse_pipfile(data: bytes) -> list[ReqLine]:
    """[packages] and [dev-packages] of a Pipfile."""
    doc = tomllib.loads(data.decode("utf-8", "replace"))
    return [*_table_deps(doc.get("packages")), *_table_deps(doc.get("dev-packages"))]


def parse_environment_yml(data: bytes) -> list[ReqLine]:
    """Conda dependencies (mapped to PyPI names) and the ``pip:`` section of an environment.yml."""
    doc = yaml.safe_load(data)
    deps = doc.get("dependencies") if isinstance(doc, dict) else None
    out: list[ReqLine] = []
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, str):
            parsed = conda_dependency(dep)
            if parsed:
                out.append(parsed)
        elif isinstance(dep, dict) and isinstance(dep.get("pip"), list):
            text = "\n".join(str(x) for x in dep["pip"])
            out.extend(r for r in parse_requirement_text(text) if r.name or r.error or r.include)
    return out


def conda_dependency(dep: str) -> ReqLine | None:
    """One conda MatchSpec (``channel::name=ver=build``) as a PyPI requirement, or None."""
    spec = dep.split("::")[-1].strip()
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    if not m:
        return None
    name = conda_name(m.group(1))
    if not name or name in _NOT_DEPS:
        return None
    version = m.group(2).strip()
    if re.match(r"^\d", version):
        version = "=" + version
    return ReqLine(name, conda_spec(version), dep)
