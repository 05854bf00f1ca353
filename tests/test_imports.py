"""The byte-level import scanner, notebooks, stdlib and local-module rules."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from crawler import imports as imports_mod
from crawler.imports import notebook_code, scan_imports
from crawler.local_modules import LocalIndex
from crawler.stdlib import is_stdlib, read_name_list

SCAN_CASES = [
    (b"import os, numpy as np\n", {"os", "numpy"}),
    (b"from torch.nn import functional as F, init\n", {"torch.nn.functional", "torch.nn.init"}),
    (b"from . import x\nfrom ..y import z\nfrom .w import v\n", set()),
    (b"from x import *\n", {"x"}),
    (b"from a import (b,\n    c)\n", {"a.b", "a.c"}),
    (b"import a, \\\n    b\n", {"a", "b"}),
    (b"import a; import b\n", {"a", "b"}),
    (b"try: import ujson as json\nexcept ImportError: import json\n", {"ujson", "json"}),
    (b'"""\nimport fake\n"""\n', set()),
    (b"'''\nfrom fake import x\n'''\n", set()),
    (b"# import fake\n", set()),
    (b"s = 'import fake'\n", set()),
    (b"x = r'\\'' ; import real\n", set()),  # after ';': ast finds it, we do not
    (b"print 'py2'\nimport cPickle\n", {"cPickle"}),
    (b"\x00\x01import\xff\xfe", set()),
    (b'"""unterminated\nimport fake\n', set()),
    (b"if TYPE_CHECKING: import a\nelif x: from b import c\nelse: import d\n", {"a", "b.c", "d"}),
    (b"except ImportError: from e.f import g as h\nfinally: import i\n", {"e.f.g", "i"}),
    (b"x = 'import no'  # import no\nimportlib.import_module(name)\n", set()),
    # a constant name given to pytest.importorskip is an import; import_module is not read
    (b"m = importlib.import_module('no.sub')\nnp = pytest.importorskip(\"numpy\")\n"
     b"y = __import__('no')\nsk = importorskip('sklearn.svm', minversion='1')\n",
     {"numpy", "sklearn.svm"}),
    (b"import a.b as c\nimport d as e.f\nfrom .g import h\nfrom i import *\n", {"a.b", "i"}),
    (b"from j import (k as l)\nfrom m import n, o\n  import p\n", {"j.k", "m.n", "m.o", "p"}),
    (b"import q\r\nfrom r import s\r\n", {"q", "r.s"}),
    (b"import t", {"t"}),
    (b"from u.v \\\n    import w, x\n", {"u.v.w", "u.v.x"}),  # not also w and x
    (b"from u \\\r\n  import w\r\nimport y\r\n", {"u.w", "y"}),
]


@pytest.mark.parametrize("source, expected", SCAN_CASES)
def test_scan_imports(source: bytes, expected: set[str]) -> None:
    assert scan_imports(source) == expected


def _ast_imports(source: bytes) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.update(f"{node.module}.{a.name}" if a.name != "*" else node.module
                         for a in node.names)
    return found


def _valid_python_files() -> list[Path]:
    files = []
    for path in sorted((Path(__file__).parent / "data" / "repos").rglob("*.py")):
        try:
            ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        files.append(path)
    return files


@pytest.mark.parametrize("path", _valid_python_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scanner_agrees_with_ast_on_fixture_files(path: Path) -> None:
    assert scan_imports(path.read_bytes()) == _ast_imports(path.read_bytes())


def test_scanner_agrees_with_ast_on_this_project() -> None:
    root = Path(__file__).parent.parent / "crawler"
    for path in root.rglob("*.py"):
        assert scan_imports(path.read_bytes()) == _ast_imports(path.read_bytes()), path


SIMPLE_STATEMENTS = [
    "import a", "import a.b", "import a as b", "import a.b as c", "import a as b.c",
    "import a b", "import 1a", "from a import b", "from a.b import c as d", "from a import *",
    "from a import b as", "from a import b.c", "from .a import b", "from a import b as c d",
    "from import import x", "import import", "from a  import  b", "import\ta\tas\tb",
]


@pytest.mark.parametrize("stmt", SIMPLE_STATEMENTS)
def test_fast_statement_path_matches_the_regexes(stmt: str) -> None:
    fast = imports_mod._simple_names(stmt.split())
    slow = tuple(n for part in imports_mod._split_statements(stmt)
                 for n in imports_mod._names_of(part))
    assert fast is None or fast == slow


@pytest.mark.parametrize("stmt", [*SIMPLE_STATEMENTS, "import a\x1cas\x0bb ", "import \xffa",
                                  "from a\x0cimport\rb", "import a_1.b2 as c_3  ", "import a,b"])
def test_bytes_statement_path_matches_the_regexes(stmt: str) -> None:
    raw = stmt.encode("latin-1")
    slow = tuple(n for part in imports_mod._split_statements(raw.decode("ascii", "replace"))
                 for n in imports_mod._names_of(part))
    simple = imports_mod._simple_names(raw.decode("ascii", "replace").split())
    assert imports_mod._statement_names(raw) == (slow if simple is None else simple)


def test_every_import_line_found_however_many_strings_mention_import() -> None:
    body = "".join(f"def f{i}():\n    s = 'with import inside'\n    import m{i}\n"
                   for i in range(300))
    assert scan_imports(body.encode()) == {f"m{i}" for i in range(300)}


def test_notebook_magics_and_shell_lines() -> None:
    lines = ["%matplotlib inline\n", "!pip install x\n", "import numpy\n", "y = !ls\n", "f?\n"]
    nb = json.dumps({"cells": [{"cell_type": "code", "source": lines}]}).encode()
    code = notebook_code(nb)
    assert scan_imports(code.source) == {"numpy"}
    assert "pip install x" in code.shell_lines


def test_notebook_rejects_non_notebooks() -> None:
    with pytest.raises(ValueError):
        notebook_code(b"[1, 2]")


def test_stdlib_covers_python2_and_3() -> None:
    assert all(is_stdlib(n) for n in ("os", "cPickle", "urllib2", "Queue", "distutils", "tkinter"))
    assert not any(is_stdlib(n) for n in ("numpy", "torch", "yaml"))
    names = read_name_list("stdlib_py27.txt")
    assert names == sorted(names)


LOCAL_CASES = [
    # (files, import, importer, known, local?)
    (["models/__init__.py"], "models", "train.py", False, True),
    (["utils/selenium.py", "utils/run.py"], "selenium", "utils/run.py", True, True),
    (["utils/selenium.py"], "selenium", "train.py", True, False),
    (["configs/yaml/a.yaml"], "yaml", "train.py", True, False),
    (["tensorflow/train.py"], "tensorflow", "tensorflow/train.py", True, False),
    (["datasets/coco.py"], "datasets.coco", "train.py", True, True),
    (["datasets/coco.py"], "datasets.load_dataset", "train.py", True, False),
    (["src/pkg/__init__.py"], "pkg", "tests/t.py", False, True),
    (["third_party/foo/README"], "foo", "a.py", False, True),
    (["a/b/helper.py"], "helper", "a/b/c/d.py", False, True),
    # a module or folder does not hide an import made from inside itself ...
    ([], "wandb", "utils/wandb.py", True, False),
    ([], "caffe", "nolearn/caffe.py", False, False),
    (["labs/envs/brax/__init__.py"], "brax", "labs/envs/brax/brax_lib.py", False, False),
    (["labs/envs/minatar/env.py"], "minatar", "labs/envs/minatar/minatar_env.py", False, False),
    # ... but another place of that name still does, and so does an importable root
    (["third_party/caffe/x.py"], "caffe", "nolearn/caffe.py", False, True),
    (["other/wandb.py"], "wandb", "utils/wandb.py", False, True),
    (["mypkg/__init__.py"], "mypkg", "mypkg/sub/x.py", False, True),
    (["src/mypkg/__init__.py"], "mypkg.sub", "src/mypkg/sub/x.py", True, True),
    (["pkgs/a/setup.py", "pkgs/a/brax/__init__.py"], "brax", "pkgs/a/brax/env.py", True, True),
    ([], "wandb", "wandb.py", True, True),
    # a module inside a regular package is importable only through that package
    (["trax/__init__.py", "trax/models/__init__.py", "trax/models/bert.py"], "bert.tokenization",
     "trax/supervised/x.py", False, False),
    (["lib/bert.py"], "bert.tokenization", "trax/supervised/x.py", False, True),
    # inside a regular package a known name is absolute; an unknown one may be implicit relative
    (["setup.py", "effnet/__init__.py", "effnet/keras.py"], "keras", "effnet/model.py", True,
     False),
    (["setup.py", "effnet/__init__.py", "effnet/resnet.py"], "resnet", "effnet/model.py", False,
     True),
    (["scripts/keras.py"], "keras", "scripts/train.py", True, True),  # a script folder
]


@pytest.mark.parametrize("files, name, importer, known, local", LOCAL_CASES)
def test_local_index(files: list[str], name: str, importer: str, known: bool, local: bool) -> None:
    index = LocalIndex()
    for f in [*files, importer]:
        index.add(f)
    assert index.is_local(name, importer, known) is local
    assert index.foreign(name, [importer, importer], known) == ([] if local else [importer] * 2)
