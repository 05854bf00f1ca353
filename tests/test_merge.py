"""Merging evidence into tools: own names, unmapped imports, framework tiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract_files, extract_path
from crawler.merge import is_test_file


def test_unmapped_import_takes_a_declared_name_spelled_with_separators() -> None:
    ex = extract_files([("requirements.txt", b"foo_bar_baz==1.0\n"),
                        ("a.py", b"import foobarbaz\nimport quxlib\n")])
    tools = {t.name: t for t in ex.tools}
    assert set(tools) == {"foo-bar-baz", "quxlib"}
    assert tools["foo-bar-baz"].sources == ("declared", "imported")
    assert "import foobarbaz (unmapped: declared as foo-bar-baz)" in tools["foo-bar-baz"].via
    assert ex.unresolved == ("quxlib",)


def test_unmapped_import_takes_a_declared_python_prefixed_name() -> None:
    ex = extract_files([("requirements.txt", b"python-quxctl\npy-zorblib\n"),
                        ("a.py", b"import quxctl\nimport zorb_lib\nimport python\n")])
    tools = {t.name: t for t in ex.tools}
    assert set(tools) == {"python-quxctl", "py-zorblib", "python"}
    assert "import quxctl (unmapped: declared as python-quxctl)" in tools["python-quxctl"].via
    assert "import zorb_lib (unmapped: declared as py-zorblib)" in tools["py-zorblib"].via


def test_own_project_name_is_never_a_tool() -> None:
    ex = extract_files([
        ("pyproject.toml", b'[project]\nname = "My_Tool"\ndependencies = ["numpy"]\n'),
        ("README.md", b"```\npip install my-tool\npip install scipy\n```\n"),
        ("mytool_pkg/__init__.py", b"import numpy\n"),
        ("docs/requirements.txt", b"mytool-pkg\nsphinx\n"),
    ])
    assert [t.name for t in ex.tools] == ["numpy", "scipy", "sphinx"]
    assert ex.own == ("my-tool", "mytool-pkg")


def test_platform_build_of_the_project_is_its_own_name() -> None:
    ex = extract_files([  # sciann (round 8): README `pip install sciann-macos`
        ("setup.py", b"from setuptools import setup\n"
                     b"setup(name='sciann', install_requires=['keras'])\n"),
        ("README.md", b"```\npip install sciann-macos\npip install sciann-extras\n```\n"),
    ])
    assert [t.name for t in ex.tools] == ["keras", "sciann-extras"]


def test_import_of_the_project_under_another_folder_is_not_a_tool() -> None:
    ex = extract_files([  # package_dir={"fastops": "lib"}: `import fastops` finds no folder
        ("setup.py", b"from setuptools import setup\nsetup(name='fastops', "
                     b"package_dir={'fastops': 'lib'}, install_requires=['numpy'])\n"),
        ("lib/__init__.py", b"import numpy\n"),
        ("examples/run.py", b"import fastops\n"),
    ])
    assert [t.name for t in ex.tools] == ["numpy"]
    assert ex.unresolved == ()


def test_frameworks_from_test_code_only_when_nothing_else_imports_one() -> None:
    only_tests = extract_files([("tests/test_x.py", b"import tensorflow\n"),
                                ("requirements.txt", b"torch\n")])
    assert only_tests.frameworks == ("tensorflow",)
    both = extract_files([("tests/test_x.py", b"import tensorflow\n"),
                          ("lib/model.py", b"import torch\n")])
    assert both.frameworks == ("pytorch",)


@pytest.mark.parametrize("path, test", [
    ("tests/test_a.py", True), ("pkg/tests/util.py", True), ("test_a.py", True),
    ("a_test.py", True), ("conftest.py", True), ("external_tests/x.py", True),
    ("testing/helpers.py", True), ("pkg/contest.py", False), ("latest/model.py", False),
    ("pkg/attestation.py", False), ("tests.py", False),
])
def test_is_test_file(path: str, test: bool) -> None:
    assert is_test_file(path) is test


def test_repository_url_names_the_project_too(tmp_path: Path) -> None:
    files = {
        "setup.py": b"from setuptools import setup\nsetup(name='torch_ema', "
                    b"url='https://github.com/fadel/pytorch_ema', install_requires=['torch'])\n",
        "README.md": b"```\npip install git+https://github.com/fadel/pytorch_ema\n```\n",
        "torch_ema/__init__.py": b"import torch\n",
        "other/README.md": b"```\npip install paperrepo einops\n```\n",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    plain = extract_path(str(tmp_path))
    assert [t.name for t in plain.tools] == ["einops", "paperrepo", "torch"]
    assert set(plain.own) == {"torch-ema", "pytorch-ema"}
    crawled = extract_path(str(tmp_path), own=["PaperRepo"])  # the crawl's code link
    assert [t.name for t in crawled.tools] == ["einops", "torch"]


def test_unknown_name_imported_only_by_test_inputs_is_unresolved_only() -> None:
    ex = extract_files([("gin/testdata/invalid_import.py", b"import nonexistent.module\n"),
                        ("gin/testdata/ok.py", b"import numpy\n"),
                        ("tests/fixtures/x.py", b"import somepkg\n"),
                        ("src/run.py", b"import somepkg\n")])
    assert [t.name for t in ex.tools] == ["numpy", "somepkg"]
    assert ex.unresolved == ("nonexistent", "somepkg")
