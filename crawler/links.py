"""Code links: finding URLs in free text, normalising them, picking the authors' repository.

Normalisation (:func:`normalise_url`): surrounding ``<>``, quotes and trailing
Markdown/sentence punctuation are stripped; ``git@host:owner/name.git`` becomes
``https://host/owner/name``; a missing scheme and ``http:`` become ``https:``
for known code hosts; ``www.`` is dropped; GitHub and GitLab links are cut to
the repository root (``/tree/<branch>/<path>``, ``/blob/...``, ``/-/...``,
``.git``, query and fragment removed) and lower-cased (both hosts ignore case).

Host classes (:func:`classify`): ``github`` and ``gitlab`` (gitlab.com) are
fetched; everything else keeps its bare host name (``drive.google.com``,
``anonymous.4open.science``, ``www.dropbox.com`` → ``dropbox.com``, personal pages)
and is recorded downstream as ``unsupported_host``. A GitHub link without an
``owner/name`` path (a user page) has host ``github`` but no ``repo``.

Sources. ``discover`` collects links from the venue's code fields (every URL
counts: the field is meant for code), then from the free-text fields (TL;DR,
abstract), where only links to code hosts count (:data:`CODE_HOSTS`; a project
page or arXiv link in an abstract is not a code link). ``--links FILE`` adds
``links-file`` links.

**Which link is the authors' repository (``primary``)** — exactly one per paper
with links, the first after ordering the candidates by:

1. a fetchable repository (GitHub/GitLab ``owner/name``) before anything else,
   so an authors' GitHub link in the abstract beats an anonymous mirror or a
   Drive zip in the code field (camera-ready abstracts carry the de-anonymised
   link);
2. not a well-known library/framework repository (:data:`THIRD_PARTY`, e.g.
   ``pytorch/pytorch``, ``huggingface/transformers``): papers cite these as tools
   they build on, never as their own code;
3. the source: code fields (and ``--papers`` files) before ``links-file`` before
   free text (TL;DR, abstract);
4. the order found: code fields in catalogue order, each field's links in text
   order (authors give their own link first, baselines after).

``Paper.code_urls`` is stored in that order (primary first). ``Paper.link_source``
is the source of every link: one name when all links share it (``"code"``),
else one name per URL joined by ``|`` (``"code|abstract"``); its first name is
always the primary link's source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from crawler.records import CodeLink, Paper

CODE_HOSTS = frozenset({
    "github.com", "gitlab.com", "bitbucket.org", "anonymous.4open.science", "gitee.com",
    "codeocean.com", "sourceforge.net", "huggingface.co", "colab.research.google.com",
})
THIRD_PARTY = frozenset({
    "github.com/pytorch/pytorch", "github.com/tensorflow/tensorflow", "github.com/keras-team/keras",
    "github.com/google/jax", "github.com/jax-ml/jax", "github.com/huggingface/transformers",
    "github.com/huggingface/diffusers", "github.com/scikit-learn/scikit-learn",
    "github.com/numpy/numpy", "github.com/openai/gym", "github.com/farama-foundation/gymnasium",
    "github.com/pyg-team/pytorch_geometric", "github.com/dmlc/dgl",
    "github.com/facebookresearch/fairseq", "github.com/open-mmlab/mmdetection",
    "github.com/lightning-ai/lightning", "github.com/pytorchlightning/pytorch-lightning",
    "github.com/pytorch/vision", "github.com/pytorch/fairseq", "github.com/apache/mxnet",
})
LINK_SEP = "|"
_KNOWN_SCHEMELESS = ("github.com/", "gitlab.com/", "bitbucket.org/", "anonymous.4open.science/")
_SCHEMELESS = "|".join(re.escape(h) for h in _KNOWN_SCHEMELESS)
_URL = re.compile(
    r"(?:https?://|git@[\w.-]+:|www\.|(?<![\w.@/-])(?:" + _SCHEMELESS + r"))"
    r"[^\s<>\"'`\\{}|^\[\]]+",
    re.IGNORECASE,
)
_EMBEDDED = re.compile(r"(?<=.)(?=https?://)", re.IGNORECASE)
_TRAILING = ".,;:!?*_~'\"`"
_GIT_SUFFIX = re.compile(r"\.git$", re.IGNORECASE)
_GITLAB_STOPS = frozenset({"tree", "blob", "raw", "commits", "issues", "wikis", "releases"})
TEXT_SOURCES = frozenset({"TL;DR", "TLDR", "tldr", "abstract"})


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in ")]}>" and url.count("([{<"[")]}>".index(last)]) < url.count(last):
            url = url[:-1]
        else:
            break
    return url


def _repo_path(host: str, path: str) -> str:
    """``owner/name`` (GitHub) or ``group/.../name`` (GitLab) from a URL path."""
    parts = [p for p in path.split("/") if p]
    if host == "github.com":
        parts = parts[:2]
    else:
        for i, part in enumerate(parts):
            if part == "-" or (i >= 2 and part in _GITLAB_STOPS):
                parts = parts[:i]
                break
    if parts:
        parts[-1] = _GIT_SUFFIX.sub("", parts[-1])
    return "/".join(parts)


def normalise_url(raw: str) -> str:
    """One canonical spelling of a link (see the module docstring); "" if it is no URL.

    >>> normalise_url("git@github.com:Owner/Repo.git")
    'https://github.com/owner/repo'
    >>> normalise_url("http://www.github.com/a/b/tree/main/src).")
    'https://github.com/a/b'
    """
    url = _strip_trailing(raw.strip().strip("<>\"'"))
    m = re.match(r"git@([\w.-]+):(.+)$", url)
    if m:
        url = f"https://{m.group(1)}/{m.group(2)}"
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or "." not in host:
        return ""
    if host.startswith("www."):
        host = host[4:]
    if host in ("github.com", "gitlab.com"):
        path = _repo_path(host, parts.path)
        return f"https://{host}/{path}".rstrip("/").lower()
    scheme = "https" if host in CODE_HOSTS else parts.scheme.lower()
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/") if parts.path != "/" else ""
    query = f"?{parts.query}" if parts.query else ""
    return _strip_trailing(f"{scheme}://{host}{port}{path}{query}")


def find_urls(text: str) -> list[str]:
    """Normalised, distinct links in ``text`` (Markdown, several per field, bare hosts).

    >>> find_urls("Code: [repo](https://github.com/a/b). Mirror: github.com/a/b.git")
    ['https://github.com/a/b']
    """
    found: list[str] = []
    for match in _URL.finditer(text or ""):
        for piece in _EMBEDDED.split(match.group(0)):
            url = normalise_url(piece)
            if url and url not in found:
                found.append(url)
    return found


def url_host(url: str) -> str:
    """The bare host of a normalised URL (no ``www.``)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def classify(url: str) -> tuple[str, str]:
    """``(host class, repo)``: ("github", "github.com/o/n"), ("drive.google.com", ""), ..."""
    host = url_host(url)
    if host in ("github.com", "gitlab.com"):
        path = urlsplit(url).path.strip("/")
        repo = f"{host}/{path}" if path.count("/") >= 1 else ""
        return host.split(".")[0], repo
    return host, ""


def is_code_host(url: str) -> bool:
    """Whether a link found in free text points at a code host (not a project page)."""
    host = url_host(url)
    return host in CODE_HOSTS or host.startswith(("gitlab.", "git."))


def source_rank(source: str) -> int:
    """Priority of a link source: code fields (and papers files) 0, links-file 1, text 2."""
    if source in TEXT_SOURCES:
        return 2
    return 1 if source == "links-file" else 0


def _rank(url: str, source: str, position: int) -> tuple[int, int, int, int]:
    kind, repo = classify(url)
    fetchable = kind in ("github", "gitlab") and bool(repo)
    return (0 if fetchable else 1, 1 if repo in THIRD_PARTY else 0, source_rank(source), position)


def order_links(candidates: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Distinct ``(url, source)`` pairs, the primary first, then the rest in the order given.

    ``candidates`` come in source-priority order (code fields in catalogue order,
    then links-file, then TL;DR, then abstract), each source's links in text order.
    """
    seen: dict[str, tuple[str, str]] = {}
    for url, source in candidates:
        if url and url not in seen:
            seen[url] = (url, source)
    pairs = list(seen.values())
    if not pairs:
        return []
    best = min(range(len(pairs)), key=lambda i: _rank(pairs[i][0], pairs[i][1], i))
    return [pairs[best]] + [p for i, p in enumerate(pairs) if i != best]


def join_sources(sources: Sequence[str]) -> str:
    """``Paper.link_source`` for links with these sources (see module docstring)."""
    if not sources:
        return ""
    return sources[0] if len(set(sources)) == 1 else LINK_SEP.join(sources)


def split_sources(link_source: str, n: int) -> list[str]:
    """The source of each of ``n`` links from a ``Paper.link_source`` value."""
    parts = link_source.split(LINK_SEP) if link_source else [""]
    return parts if len(parts) == n else [parts[0]] * n


def link_pairs(paper: Paper) -> list[tuple[str, str]]:
    """``(url, source)`` of each of a paper's ``code_urls``, in order."""
    sources = split_sources(paper.link_source, len(paper.code_urls))
    return list(zip(paper.code_urls, sources, strict=True))


def link_fields(candidates: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], str]:
    """``(Paper.code_urls, Paper.link_source)`` of ``(url, source)`` candidates, ordered."""
    ordered = order_links(candidates)
    return tuple(u for u, _ in ordered), join_sources([s for _, s in ordered])


def add_links(paper: Paper, extra: Iterable[tuple[str, str]]) -> Paper:
    """``paper`` with ``extra`` ``(url, source)`` links united into its own, re-ordered."""
    urls, source = link_fields([*link_pairs(paper), *extra])
    return replace(paper, code_urls=urls, link_source=source)


def code_links(paper: Paper) -> list[CodeLink]:
    """One classified :class:`CodeLink` per distinct URL; exactly one is ``primary``.

    The rule of the module docstring is applied again here, so a ``Paper`` built
    by hand (or read from a file) gets the same primary link as a discovered one.
    """
    pairs = order_links((normalise_url(u) or u.strip(), s) for u, s in link_pairs(paper))
    links = []
    for i, (url, source) in enumerate(pairs):
        host, repo = classify(url)
        links.append(CodeLink(paper_id=paper.paper_id, url=url, source=source,
                              host=host, repo=repo, primary=i == 0))
    return links
