"""The repository's own importable modules, so that imports of them are not reported."""

from __future__ import annotations

_CODE_SUFFIXES = (".py", ".pyw", ".pyx", ".so", ".pyd")
_MAX_PLACES = 4  # places kept per name; a name found in more places hides it everywhere
_ALWAYS = "\0"  # hidden whatever the importer (never a path)


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
    hidden by any directory or module of that name anywhere (pipreqs' rule for
    ``sys.path`` tricks and missing submodules) that is not inside a regular package
    (``trax/models/bert.py`` is importable only as ``trax.models.bert``).
    A folder with no Python files (``configs/yaml/``) never hides anything.

    Inside a regular package that is not an importable root, a *known* name is never
    the package's own module (``efficientnet/__init__.py`` doing ``import keras`` next to
    ``efficientnet/keras.py`` means Keras: Python 3 imports are absolute); unknown names
    still are (Python 2 implicit relative imports, scripts run from their folder).

    A module or folder never hides an import made from inside itself
    (``utils/wandb.py`` doing ``import wandb``, ``envs/brax/brax_env.py`` doing
    ``import brax``), unless it sits at an importable root (the repository
    root, ``src/``, a sub-project root), where it is the package importing itself.
    """

    def __init__(self) -> None:
        self.modules: dict[str, set[str]] = {}
        self.namespaces: dict[str, dict[str, set[str]]] = {}
        self.places: dict[str, list[str]] = {}  # name -> folders/modules (without suffix)
        self.project_roots: set[str] = set()
        self.packages: set[str] = set()  # folders holding an __init__.py
        self._cache: dict[tuple[str, str, str, bool], str] = {}
        self._roots_cache: dict[str, list[tuple[str, bool]]] = {}
        self._folders: set[str] = set()
        self._last_code_folder = ""

    def _place(self, name: str, where: str) -> None:
        places = self.places.setdefault(name, [])
        if len(places) < _MAX_PLACES and where not in places:
            places.append(where)

    def add(self, path: str) -> None:
        """Register one repo-relative file path."""
        folder, _, base = path.rpartition("/")
        if folder not in self._folders:
            self._folders.add(folder)
            parts = folder.split("/") if folder else []
            for i, part in enumerate(parts):
                self._place(part, "/".join(parts[: i + 1]))
        if base in ("setup.py", "pyproject.toml", "setup.cfg"):
            self.project_roots.add(folder)
            self._roots_cache.clear()
        if not base.endswith(_CODE_SUFFIXES):
            return
        stem = base.split(".", 1)[0]
        self._place(stem, f"{folder}/{stem}" if folder else stem)
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
                self.packages.add(folder)
                self.modules.setdefault(up, set()).add(name)
                return
        self.modules.setdefault(folder, set()).add(stem)

    def is_local(self, dotted: str, importer: str, known: bool) -> bool:
        """Whether ``dotted`` imported by file ``importer`` is the repository's own."""
        return not self.foreign(dotted, [importer], known)

    def foreign(self, dotted: str, importers: list[str], known: bool) -> list[str]:
        """The files of ``importers`` for which ``dotted`` is *not* the repository's own
        (``is_local`` for many files at once, looked up once per run of one folder)."""
        parts = dotted.split(".", 2)[:2]
        if parts[0] not in self.places:  # no folder or module of that name anywhere
            return list(importers)
        second = parts[1] if len(parts) > 1 else ""
        out: list[str] = []
        last = None
        why = ""
        for importer in importers:
            folder = importer.rpartition("/")[0]
            if folder != last:
                last = folder
                key = (parts[0], second, folder, known)
                got = self._cache.get(key)
                why = got if got is not None else self._cache.setdefault(
                    key, self._lookup(parts, folder, known, ""))
            if not why or (why != _ALWAYS and _holds(why, importer)  # hidden only by itself:
                           and not self._lookup(parts, folder, known, importer)):  # look again
                out.append(importer)
        return out

    def _lookup(self, parts: list[str], folder: str, known: bool, importer: str) -> str:
        """What hides ``parts`` from a file in ``folder``: ``_ALWAYS`` (a package at an
        importable root, or a name found in many places), the path of the hiding module
        or folder, or "" when nothing does. With ``importer``, places that are the
        importer or hold it are skipped (unless at an importable root)."""
        top = parts[0]
        for root, importable in self._roots(folder):
            if known and not importable and root in self.packages:
                continue  # Python 3 imports are absolute: efficientnet/keras.py is not `keras`
            place = f"{root}/{top}" if root else top
            if importer and not importable and _holds(place, importer):
                continue  # the importer's own module or folder, deep in the tree
            children = self.namespaces.get(root, {}).get(top)
            if top in self.modules.get(root, ()) or (children is not None and (
                    not known or (len(parts) > 1 and parts[1] in children))):
                return _ALWAYS if importable else place
        if not known and top in self.places:
            places = self.places[top]  # inside a regular package, only importable through it
            if len(places) >= _MAX_PLACES:
                return _ALWAYS
            for place in places:
                if place.rpartition("/")[0] not in self.packages and not (
                        importer and _holds(place, importer)):
                    return place
        return ""

    def root_packages(self) -> set[str]:
        """Names of the regular packages at importable roots: what the repository installs."""
        return {pkg.rpartition("/")[2] for pkg in self.packages
                if self._importable(pkg.rpartition("/")[0])}

    def _importable(self, root: str) -> bool:
        base = root.removesuffix("/src") if root != "src" else ""
        return root in ("", "src") or root in self.project_roots or base in self.project_roots

    def _roots(self, folder: str) -> list[tuple[str, bool]]:
        """Folders from which ``folder``'s files may import, and whether each is an
        importable root."""
        roots = self._roots_cache.get(folder)
        if roots is not None:
            return roots
        chain: list[str] = []
        parts = folder.split("/") if folder else []
        for i in range(len(parts), -1, -1):
            chain.append("/".join(parts[:i]))
        projects = sorted(self.project_roots)
        srcs = [f"{base}/src" if base else "src" for base in (*chain, *projects)]
        roots = self._roots_cache[folder] = [(r, self._importable(r))
                                             for r in (*chain, *srcs, *projects)]
        return roots


def _holds(place: str, importer: str) -> bool:
    """Whether ``place`` (a folder, or a module path without suffix) is or contains ``importer``."""
    return importer.startswith(place + "/") or importer.rpartition(".")[0] == place
