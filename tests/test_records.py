"""Records and the error tree: reasons are unique, documented, and become failures at one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import errors
from crawler.records import Failure

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
REPO_FAILURES = [
    cls for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, (errors.FetchError, errors.ExtractError))
    and cls not in (errors.FetchError, errors.ExtractError)
]


def test_reasons_are_unique() -> None:
    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.CrawlError)]
    reasons = [c.reason for c in classes]
    assert len(reasons) == len(set(reasons))


@pytest.mark.parametrize("cls", REPO_FAILURES, ids=lambda c: c.__name__)
def test_every_repository_failure_reason_is_documented(cls: type[errors.CrawlError]) -> None:
    assert f"`{cls.reason}`" in README, f"{cls.reason} missing from the README's failure table"


def test_failure_from_a_crawl_error_keeps_its_reason() -> None:
    failure = Failure.from_exception(errors.NotFound("gone away"), stage="fetch")
    assert (failure.stage, failure.reason, failure.message, failure.traceback) == (
        "fetch", "not_found", "gone away", "")


def test_failure_from_an_unexpected_error_is_a_bug_with_traceback() -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        failure = Failure.from_exception(exc, stage="extract")
    assert failure.reason == "bug:KeyError"
    assert "KeyError" in failure.traceback and "test_records.py" in failure.traceback
