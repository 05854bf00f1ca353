"""Manifest and install-command parsers, as case tables."""

from __future__ import annotations

import pytest

from crawler.manifests import command_kind, manifest_kind, parse_manifests, readme_code
from crawler.manifests_reqs import install_commands, parse_requirement_line
from crawler.manifests_setup import parse_setup_py

REQUIREMENT_LINES = [
    ("torch>=1.8", "torch", ">=1.8"),
    ("scikit_learn==1.0", "scikit-learn", "==1.0"),
    ("-e .", "", ""),
    ("./local_pkg", "", ""),
    ("-e git+https://github.com/a/detectron2.git#egg=detectron2", "detectron2", ""),
    ("git+https://github.com/NVIDIA/apex@master", "apex", ""),
    ("foo @ https://example.org/foo-1.0.tar.gz", "foo", ""),
    ("https://x.org/whl/torch-1.1.0-cp37-cp37m-linux_x86_64.whl", "torch", "==1.1.0"),
    ('numpy==1.19; python_version < "3.8" --hash=sha256:abc', "numpy", "==1.19"),
    ("tensorflow-gpu=1.15", "tensorflow-gpu", "==1.15"),
    ("pytorch", "torch", ""),
    ("Pillow[extra]>=8", "pillow", ">=8"),
    ("--index-url https://x", "", ""),
]


@pytest.mark.parametrize("line, name, spec", REQUIREMENT_LINES)
def test_requirement_lines(line: str, name: str, spec: str) -> None:
    parsed = parse_requirement_line(line)
    assert (parsed.name if parsed else "") == name
    assert (parsed.spec if parsed else "") == spec


INSTALL_LINES = [
    ("!pip install -q torch==1.4 'timm>=0.4' -e .", ["torch", "timm"]),
    ("RUN pip install --upgrade pip && pip install -r requirements.txt", []),
    ("conda install -c pytorch pytorch torchvision cudatoolkit=10.1 -y", ["torch", "torchvision"]),
    ("python3 -m pip install --user jax[cuda] -f https://x", ["jax"]),
    ("sudo pip3 install git+https://github.com/openai/CLIP.git", ["clip"]),
]


@pytest.mark.parametrize("text, names", INSTALL_LINES)
def test_install_commands(text: str, names: list[str]) -> None:
    assert [r.name for r in install_commands(text)] == names


def test_readme_prose_is_not_a_command() -> None:
    text = "We recommend that you pip install the latest release.\n```\npip install ogb\n```\n"
    assert [r.name for r in install_commands(readme_code(text))] == ["ogb"]


@pytest.mark.parametrize("path, kind", [
    ("requirements.txt", "requirements"), ("requirements-dev.txt", "requirements"),
    ("dev_requirements.txt", "requirements"), ("requirements/base.txt", "requirements"),
    ("requirement.txt", "requirements"), ("sub/setup.py", "setup.py"), ("setup.cfg", "setup.cfg"),
    ("pyproject.toml", "pyproject"), ("Pipfile", "pipfile"), ("environment.yml", "conda"),
    ("env.yaml", "conda"), ("Pipfile.lock", ""), ("notes.txt", ""), ("config.yaml", ""),
])
def test_manifest_kind(path: str, kind: str) -> None:
    assert manifest_kind(path) == kind


def test_command_kind() -> None:
    assert [command_kind(p) for p in ("run.sh", "docker/Dockerfile", "README.md", "a.py")] == [
        "shell", "docker", "readme", ""]


def test_include_depth_is_bounded() -> None:
    blobs = {f"r{i}.txt": f"-r r{i + 1}.txt\npkg{i}\n".encode() for i in range(10)}
    blobs["requirements.txt"] = b"-r r0.txt\n"
    result = parse_manifests(blobs, max_depth=3)
    assert {d.name for d in result.deps} == {"pkg0", "pkg1", "pkg2"} | {
        f"pkg{i}" for i in range(10) if f"r{i}.txt" in result.manifests}
    assert any("depth limit" in e.reason for e in result.errors)


def test_setup_py_extras_built_by_dict_calls_and_comprehensions() -> None:
    src = b"""
from setuptools import setup
requirements = {'install': ['onnx>=1.4'], 'test': ['pytest', '-r install'], 'docs': ['sphinx']}
tests_require = ['pytest-cov']
setup(name='x', install_requires=requirements['install'],
      extras_require={k: v for k, v in requirements.items() if k != 'install'})
setup(extras_require=dict(test=tests_require))
"""
    assert sorted({r.name for r in parse_setup_py(src) if r.name}) == [
        "onnx", "pytest", "pytest-cov", "sphinx"]


def test_readme_inline_code_wrapped_over_a_line_break() -> None:
    """mesh-tensorflow (round 8): `pip\ninstall tensorflow-gpu` in a paragraph."""
    text = "Install it with `pip\ninstall tensorflow-gpu` first, then `a` and\n`pip install b`.\n"
    assert [r.name for r in install_commands(readme_code(text))] == ["tensorflow-gpu", "b"]


def test_setup_py_keywords_unpacked_from_a_dict() -> None:
    """``setup(**info)``: the dict's keys are setup() keywords (paddle-parakeet, round 7)."""
    src = b"""
from setuptools import setup
base = {'url': 'https://github.com/me/demo-repo', 'extras_require': {'doc': ['sphinx']}}
info = dict(name='demo', install_requires=['numpy', 'sox'], **base)
setup(**info, tests_require=['nose'])
setup(**{'install_requires': ['scipy'], 'python_requires': '>=3.6'})
"""
    lines = parse_setup_py(src)
    assert sorted(r.name for r in lines if r.name) == ["numpy", "scipy", "sox", "sphinx"]
    assert sorted(r.project for r in lines if r.project) == ["demo", "demo-repo"]


def test_setup_py_requirement_paths_joined_from_parts() -> None:
    """rax (round 7): ``os.path.join(HERE, 'requirements', 'requirements.txt')``."""
    src = b"""
import os, pathlib
HERE = os.path.dirname(__file__)
def req(name):
    return open(os.path.join(HERE, 'requirements', name)).read().split()
setup(install_requires=open(os.path.join(HERE, 'requirements', 'requirements.txt')).read(),
      extras_require={'test': (pathlib.Path(HERE) / 'requirements' / 'test-req.txt').read_text(),
                      'dev': open('requirements-dev.txt').read()})
"""
    assert sorted(r.include for r in parse_setup_py(src) if r.include) == [
        "requirements-dev.txt", "requirements/requirements.txt", "requirements/test-req.txt"]
    blobs = {"setup.py": src, "requirements/requirements.txt": b"numpy\n",
             "requirements/test-req.txt": b"pytest\n", "requirements-dev.txt": b"black\n"}
    result = parse_manifests(blobs, max_depth=5)
    assert sorted({d.name for d in result.deps}) == ["black", "numpy", "pytest"]
    assert not result.errors


def test_setup_py_names_added_to_after_assignment() -> None:
    """setfit (round 10): ``EXTRAS_REQUIRE["compat"] = ...`` after the dict is built."""
    src = b"""
REQS = ["numpy"]
REQS += ["scipy"]
REQS.extend(["pandas"])
REQS.append("torch")
EXTRAS = {"tests": ["pytest"]}
EXTRAS["compat"] = ["fsspec<2023"] + REQS
info = dict(name="demo")
info["install_requires"] = REQS
info["extras_require"] = EXTRAS
setup(**info)
"""
    lines = parse_setup_py(src)
    assert sorted({r.name for r in lines if r.name}) == [
        "fsspec", "numpy", "pandas", "pytest", "scipy", "torch"]
    assert [r.project for r in lines if r.project] == ["demo"]


def test_setup_py_unpacking_that_is_no_dict_is_skipped() -> None:
    src = b"import json\nsetup(**json.load(open('meta.json')), install_requires=['torch'])\n"
    assert [r.name for r in parse_setup_py(src) if r.name] == ["torch"]


def test_install_line_templates_are_not_names() -> None:
    text = ("# if cuda XX is installed\n"
            "pip install mxnet-cuXXmkl gluonfr xxhash 'torch>=1.4' {pkg} torch-<version>\n"
            "pip install -e <path to repository> 'numpy<2' scipy\n")
    assert [r.name for r in install_commands(text)] == [
        "gluonfr", "xxhash", "torch", "numpy", "scipy"]
