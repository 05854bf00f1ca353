"""Link finding, normalisation, host classes and the primary-link rule."""

from __future__ import annotations

import pytest

from crawler.links import classify, code_links, find_urls, normalise_url
from crawler.records import Paper


@pytest.mark.parametrize(("raw", "want"), [
    ("https://github.com/owner/name", "https://github.com/owner/name"),
    ("http://github.com/owner/name", "https://github.com/owner/name"),
    ("https://www.github.com/owner/name/", "https://github.com/owner/name"),
    ("github.com/owner/name", "https://github.com/owner/name"),
    ("www.github.com/owner/name", "https://github.com/owner/name"),
    ("https://github.com/owner/name.git", "https://github.com/owner/name"),
    ("git@github.com:Owner/Name.git", "https://github.com/owner/name"),
    ("https://github.com/owner/name/tree/dev/src/model", "https://github.com/owner/name"),
    ("https://github.com/owner/name/blob/main/README.md#usage", "https://github.com/owner/name"),
    ("https://github.com/owner/name?tab=readme", "https://github.com/owner/name"),
    ("<https://github.com/owner/name>.", "https://github.com/owner/name"),
    ("https://github.com/owner/name).", "https://github.com/owner/name"),
    ("https://github.com/owner/name**", "https://github.com/owner/name"),
    ("https://gitlab.com/group/sub/name/-/tree/main", "https://gitlab.com/group/sub/name"),
    ("https://gitlab.com/group/name.git", "https://gitlab.com/group/name"),
    ("https://anonymous.4open.science/r/ABC-12/", "https://anonymous.4open.science/r/ABC-12"),
    ("https://www.dropbox.com/s/x/code.zip?dl=0", "https://dropbox.com/s/x/code.zip?dl=0"),
    ("http://people.example.edu/~me/code.html", "http://people.example.edu/~me/code.html"),
    ("not a url", ""),
])
def test_normalise_url(raw: str, want: str) -> None:
    assert normalise_url(raw) == want


@pytest.mark.parametrize(("text", "want"), [
    ("See [code](https://github.com/a/b).", ["https://github.com/a/b"]),
    ("[https://github.com/a/b](https://github.com/a/b)", ["https://github.com/a/b"]),
    ("https://github.com/a/b, https://github.com/c/d; https://gitlab.com/e/f.",
     ["https://github.com/a/b", "https://github.com/c/d", "https://gitlab.com/e/f"]),
    ("https://github.com/a/bhttps://github.com/c/d", ["https://github.com/a/b",
                                                      "https://github.com/c/d"]),
    ("code: github.com/a/b and www.github.com/a/b.git", ["https://github.com/a/b"]),
    ("\\url{https://github.com/a/b}", ["https://github.com/a/b"]),
    ("(see https://github.com/a/b)", ["https://github.com/a/b"]),
    ("mail me@github.com or user.github.com/x", []),
    ("/attachment/0123abcd.zip", []),
    ("", []),
])
def test_find_urls(text: str, want: list[str]) -> None:
    assert find_urls(text) == want


@pytest.mark.parametrize(("url", "host", "repo"), [
    ("https://github.com/a/b", "github", "github.com/a/b"),
    ("https://github.com/a", "github", ""),
    ("https://gitlab.com/g/s/p", "gitlab", "gitlab.com/g/s/p"),
    ("https://drive.google.com/file/d/x/view", "drive.google.com", ""),
    ("https://anonymous.4open.science/r/x", "anonymous.4open.science", ""),
    ("https://dropbox.com/s/x", "dropbox.com", ""),
    ("https://bitbucket.org/a/b", "bitbucket.org", ""),
])
def test_classify(url: str, host: str, repo: str) -> None:
    assert classify(url) == (host, repo)


def paper(urls: tuple[str, ...], source: str) -> Paper:
    return Paper("p1", "ICLR", 2020, "t", code_urls=urls, link_source=source)


def primary(p: Paper) -> str:
    chosen = [link.url for link in code_links(p) if link.primary]
    assert len(chosen) == 1
    return chosen[0]


def test_code_field_beats_abstract() -> None:
    p = paper(("https://github.com/me/ours", "https://github.com/me/other"), "code|abstract")
    assert primary(p) == "https://github.com/me/ours"


def test_fetchable_repo_beats_anonymous_mirror_and_drive() -> None:
    p = paper(("https://anonymous.4open.science/r/x", "https://drive.google.com/y",
               "https://github.com/me/ours"), "code|code|abstract")
    assert primary(p) == "https://github.com/me/ours"
    sources = {link.url: link.source for link in code_links(p)}
    assert sources["https://github.com/me/ours"] == "abstract"
    assert sources["https://drive.google.com/y"] == "code"


def test_well_known_library_is_never_the_authors_repo() -> None:
    p = paper(("https://github.com/huggingface/transformers", "https://github.com/me/ours"),
              "abstract")
    assert primary(p) == "https://github.com/me/ours"


def test_first_mentioned_link_wins_within_a_source() -> None:
    p = paper(("https://github.com/me/ours", "https://github.com/else/baseline"), "abstract")
    links = code_links(p)
    assert [(link.repo, link.primary, link.source) for link in links] == [
        ("github.com/me/ours", True, "abstract"), ("github.com/else/baseline", False, "abstract")]


def test_only_unsupported_links_still_get_one_primary() -> None:
    p = paper(("https://drive.google.com/y", "https://dropbox.com/z"), "code")
    links = code_links(p)
    assert [link.primary for link in links] == [True, False]
    assert not links[0].supported and links[0].host == "drive.google.com"


def test_duplicates_collapse_and_no_links_give_none() -> None:
    p = paper(("https://github.com/Me/Ours.git", "github.com/me/ours"), "code|links-file")
    assert [link.url for link in code_links(p)] == ["https://github.com/me/ours"]
    assert code_links(paper((), "")) == []
