"""Every command has help text and is documented; the quick start is what make runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no sub-commands")


@pytest.mark.parametrize("name", sorted(_commands()))
def test_command_has_help_and_is_in_readme(name: str) -> None:
    sub = _commands()[name]
    assert sub.format_help().strip()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"toolcensus {name}" in readme


def test_contract_commands_exist() -> None:
    assert {"crawl", "discover", "extract", "analyze", "charts", "status", "demo",
            "venues"} <= set(_commands())


def test_quick_start_is_two_make_targets() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
