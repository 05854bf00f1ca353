"""Progress of a crawl: counts per funnel stage and failures by reason.

A :class:`Tally` turns the statuses of finished repository tasks into the
stages they reached (``resolved`` → ``downloaded`` → ``analysed``); a
:class:`ProgressDisplay` prints it to a stream, at most every few seconds (a
line per update on a log, redrawn in place on a terminal).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO

from crawler import errors

STAGES = ("resolved", "downloaded", "analysed")


def _reasons(base: type[errors.CrawlError]) -> frozenset[str]:
    return frozenset(
        c.reason for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, base)
    )


RESOLVE_FAILURES = _reasons(errors.ResolveError) | {"empty_repository", "not_found", "gone",
                                                     "private", "unavailable"}
EXTRACT_FAILURES = _reasons(errors.ExtractError)


def stage_reached(status: str) -> int:
    """How many of ``STAGES`` a task with ``status`` reached (0..3)."""
    if status == "ok":
        return 3
    if status in EXTRACT_FAILURES:
        return 2
    if status in RESOLVE_FAILURES or status.startswith("bug:"):
        return 0
    return 1  # resolved to a commit, then the download failed


def funnel(statuses: Mapping[str, int]) -> dict[str, int]:
    """Tasks per stage reached, plus ``failed:<reason>`` counts."""
    out = {stage: 0 for stage in STAGES}
    for status, n in statuses.items():
        for stage in STAGES[: stage_reached(status)]:
            out[stage] += n
    for status, n in sorted(statuses.items()):
        if status != "ok":
            out[f"failed:{status}"] = n
    return out


@dataclass
class ProgressDisplay:
    """Prints ``done/total``, stages and failures; a callable for ``crawl(progress=...)``."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    every: float = 2.0  # seconds between lines (the last update always prints)
    started: float = field(default_factory=time.monotonic)
    _last: float = 0.0
    _width: int = 0

    def __call__(self, done: Counter[str], total: int) -> None:
        n = sum(done.values())
        now = time.monotonic()
        if n < total and now - self._last < self.every:
            return
        self._last = now
        self.write(self.render(done, total, now - self.started), final=n >= total)

    @staticmethod
    def render(done: Mapping[str, int], total: int, seconds: float) -> str:
        """One line: ``12/40 repositories (30%) | resolved 11 downloaded 10 ...``."""
        n = sum(done.values())
        stages = funnel(done)
        share = f" ({100 * n // total}%)" if total else ""
        rate = f", {n / seconds:.1f}/s" if seconds > 0 and n else ""
        text = f"{n}/{total} repositories{share}{rate} | " + " ".join(
            f"{s} {stages[s]}" for s in STAGES)
        failed = [f"{k.removeprefix('failed:')} {v}" for k, v in stages.items()
                  if k.startswith("failed:")]
        return text + (f" | failed: {', '.join(failed)}" if failed else "")

    def write(self, line: str, final: bool) -> None:
        if self.stream.isatty():
            pad = " " * max(0, self._width - len(line))
            self.stream.write("\r" + line + pad + ("\n" if final else ""))
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
