"""The fast path for simple requirement lines gives exactly what ``packaging`` gives."""

from __future__ import annotations

import random

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from crawler.manifests_reqs import _simple_requirement, _tokens, parse_requirement_line

LINES = [
    "numpy", "Torch", "scikit-learn", "x_y.z", "A_b.c-d==01.0", "numpy>=1.18", "torch==1.4",
    "a>=1,<2", "a >= 1 , < 2", "a\t>=1", "a>= 1", "a >1", "a<=2.0.1", "a!=1.5", "a~=1.0",
    "a[x]~=1.0", "a [x]", "a[ x ]>=1", "a[x,y]==2", "a[x, y] >=1,!=1.3,<2", "a[]",
    "a>=1.0,>=1", "a>=1,>=2", "a==1,==1", "a~=1", "a=1", "torch=1.4", "a==1.0.*", "a>=1.0rc1",
    "a===1.0", "a>=1,", "a,>=1", "a>=1;python_version<'3'", "a @ https://x.org/a.whl",
    "a (>=1.0)", "-a", "a-", "1a", "a[x", "a>=", "a>=1 ", " a", "a>=1.", "a>=.1",
]


def _packaging(line: str) -> tuple[str, str] | str:
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return "invalid"
    return req.name, str(req.specifier)


@pytest.mark.parametrize("line", LINES)
def test_fast_path_agrees_with_packaging(line: str) -> None:
    got = _simple_requirement(line)
    if got is not None:
        assert got == _packaging(line)


def test_fast_path_takes_the_common_shapes() -> None:
    for line in ("numpy", "torch==1.4", "a>=1,<2", "a[x]~=1.0", "a [x] >= 1 , < 2"):
        assert _simple_requirement(line) is not None, line
    for line in ("a>=1;python_version<'3'", "a>=1.0rc1", "a==1.0.*", "a~=1", "a>=1,>=2"):
        assert _simple_requirement(line) is None, line


def test_fast_path_agrees_on_random_lines() -> None:
    rng = random.Random(7)
    atoms = ["a", "Torch", "x_y.z", "-", ".", "[", "]", "[x]", "[x,y]", "[]", ",", " ", "\t",
             ">=", "<=", "==", "!=", "~=", "<", ">", "===", "=", "1", "1.0", "01.2", "*", ";"]
    taken = 0
    for _ in range(20_000):
        line = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 7)))
        got = _simple_requirement(line)
        if got is not None:
            taken += 1
            assert got == _packaging(line), line
    assert taken > 500


@pytest.mark.parametrize("line, name, spec", [
    ("numpy>=1.18", "numpy", ">=1.18"),
    ("scikit_learn[alldeps] >= 0.24, <1", "scikit-learn", "<1,>=0.24"),
    ("torch=1.4", "torch", "==1.4"),  # conda style, through packaging
    ("a==1.0.*", "a", "==1.0.*"),
    ("a>=1 --hash=sha256:abc", "a", ">=1"),
    ("a>=1;python_version<'3'", "a", ">=1"),
    ("a>=1,>=1.0", "a", ">=1"),
])
def test_parse_line_fast_and_slow_shapes(line: str, name: str, spec: str) -> None:
    parsed = parse_requirement_line(line)
    assert parsed is not None and (parsed.name, parsed.spec) == (name, spec)


@pytest.mark.parametrize("args", [
    "-q torch==1.4 'timm>=0.4' -e .", "torch torchvision  -f https://x.org/whl",
    "a # comment b", 'a "b c"', "a\\ b", "a\x0bb", "a\u00a0b", "-r req.txt numpy",
])
def test_token_fast_path_same_as_shlex(args: str) -> None:
    import shlex

    try:
        words = shlex.split(args, comments=True)
    except ValueError:
        words = args.split()
    expected = list(_tokens_from(words))
    assert list(_tokens(args)) == expected


def _tokens_from(words: list[str]) -> list[str]:
    """``_tokens`` applied to words already split by shlex (via a quoted re-join)."""
    import shlex

    return list(_tokens(" ".join(shlex.quote(w) for w in words)))
