"""The repository's own importable modules, so that imports of them are not reported."""

from __future__ import annotations

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
        self._last_folder = self._last_code_folder = ""

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
        stem = base.split(".", 1)[0]
        self.any_names.add(stem)
        if folder != self._last_code_folder:  # the folder's own chain of namespace entries
            self._last_code_folder = folder
            parts = folder.split("/") if folder else []
            for i in range(len(parts) - 1):
                ns = self.namespaces.setdefault("/".join(parts[:i]), {})
                ns.setdefault(parts[i], set()).add(parts[i + 1])
        if folder:
            up, _, name = folder.rpartition("/")
            self.namespaces.setdefault(up, {}).setdefault(name, set()).add(stem)
            if stem == "__init__":
                self.modules.setdefault(up, set()).add(name)
                return
        self.modules.setdefault(folder, set()).add(stem)

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
