"""The labelled fixture corpus: each tests/data/repos/<case>/repo has an expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_path

REPOS = Path(__file__).parent / "data" / "repos"
CASES = sorted(p.name for p in REPOS.iterdir() if (p / "expected.json").exists())


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_fixture_repo(case: str) -> None:
    expected = json.loads((REPOS / case / "expected.json").read_text())
    ex = extract_path(str(REPOS / case / "repo"))
    assert [t.name for t in ex.tools] == expected["tools"]
    assert list(ex.frameworks) == expected["frameworks"]
    tools = {t.name: t for t in ex.tools}
    for name, sources in expected.get("sources", {}).items():
        assert list(tools[name].sources) == sources
    for name, spec in expected.get("specs", {}).items():
        assert tools[name].spec == spec
    if "unresolved" in expected:
        assert list(ex.unresolved) == expected["unresolved"]
    reasons = " | ".join(e.reason for e in ex.errors)
    for fragment in expected.get("errors", []):
        assert fragment in reasons
    if not expected.get("errors"):
        assert ex.errors == ()
    assert all(t.via and t.files for t in ex.tools)
