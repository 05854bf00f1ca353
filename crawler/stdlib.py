"""The standard library, as a set of top-level module names.

Python 3 names come from ``sys.stdlib_module_names`` of the running
interpreter (3.11+, which still lists ``distutils``, ``imp`` and the other
modules removed in 3.12/3.13); Python 2.7-only names (``cPickle``,
``urllib2``, ``Queue``...) come from the bundled ``data/stdlib_py27.txt``,
because research code from 2017-2020 still imports them.
"""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources

#: Modules that are always importable but are not in ``stdlib_module_names``.
_EXTRA: frozenset[str] = frozenset({"__main__", "__future__", "builtins", "__builtin__"})


def read_name_list(filename: str) -> list[str]:
    """Lines of a bundled ``crawler/data`` list, without comments and blanks."""
    text = resources.files("crawler.data").joinpath(filename).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@cache
def stdlib_names() -> frozenset[str]:
    """Top-level names of the Python 3 and Python 2.7 standard libraries.

    >>> {"os", "cPickle", "urllib2"} <= stdlib_names()
    True
    """
    py27 = frozenset(read_name_list("stdlib_py27.txt"))
    return frozenset(sys.stdlib_module_names) | py27 | _EXTRA


def is_stdlib(top_level: str) -> bool:
    """Whether an import's first dotted part names a standard-library module."""
    return top_level in stdlib_names()
