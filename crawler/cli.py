"""The ``toolcensus`` command line: one command, one public function.

Exit status: 0 when the command did its job (failed repositories are data),
2 for bad usage or configuration, 1 otherwise. Errors say what to do.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from crawler import commands
from crawler.errors import ConfigError, CrawlError

EPILOG = "Run 'toolcensus COMMAND --help' for a command's options. Docs: README.md."


def _count(text: str) -> int:
    """A ``--limit``: a whole number, 0 meaning no limit."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: give N >= 1, or 0 for no limit")
    return value


def _verbose_flag() -> argparse.ArgumentParser:
    """``-v`` accepted after the command too (``toolcensus crawl … -v``)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                        help="more logging (repeat for debug)")
    return parent


def _crawl_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("venues", nargs="*", metavar="VENUE",
                   help="OpenReview venue id or short form: iclr2020, iclr:2018-2024, tmlr")
    p.add_argument("--out", help="output URL (default ./census; s3://bucket/prefix works)")
    p.add_argument("--cluster", help="local (default), none, tcp://host:8786, or a spec .yaml")
    p.add_argument("--snapshot", choices=["publication", "head"],
                   help="read repositories at the conference end date (default) or today")
    p.add_argument("--snapshot-date",
                   help="read repositories at this ISO date (2020-05-01: end of that day, UTC) "
                        "or date-time, instead of each venue's conference end date")
    p.add_argument("--limit", type=_count, help="at most N papers per venue-year")
    p.add_argument("--fresh", action="store_true", default=None,
                   help="redo repositories that already have results")
    p.add_argument("--papers", dest="papers_file", help="papers from a CSV/JSONL/Parquet file")
    p.add_argument("--links", dest="links_file", help="paper→code links table (PwC shape)")
    p.add_argument("--keep-archives", action="store_true", default=None,
                   help="store downloaded archives in the bucket by sha")
    p.add_argument("--config", help="YAML run config (see configs/run-example.yaml)")
    p.add_argument("--detach", action="store_true",
                   help="hand the whole crawl to the --cluster tcp://… scheduler and return "
                        "at once with the run id (follow it with 'toolcensus status URL')")
    p.add_argument("--cancel", metavar="RUN",
                   help="stop the detached run RUN (give the same --cluster and --out)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="toolcensus", description=__doc__, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    verbose = [_verbose_flag()]

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=verbose, help=text)

    p = add("crawl", "discover papers, fetch and analyse their repositories")
    _crawl_args(p)
    p = add("discover", "list accepted papers with tier and code links")
    p.add_argument("venues", nargs="+", metavar="VENUE")
    p.add_argument("--json", action="store_true", help="JSON Lines, one object per paper")
    p.add_argument("--links", dest="links_file", help="paper→code links table (PwC shape)")
    p.add_argument("--out", help="where the OpenReview page cache lives (default ./census)")
    p.add_argument("--limit", type=_count, help="at most N papers per venue-year")
    p.add_argument("--config", help="YAML run config")
    p = add("extract", "the tools each repository (dir or archive) uses")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="JSON Lines, one object per PATH")
    p = add("analyze", "tables, charts and an HTML report from a crawl")
    p.add_argument("--in", dest="in_url", default=None, help="crawl URL (default ./census)")
    p.add_argument("--out", dest="out_url", default=None, help="output URL (default: --in)")
    p.add_argument("--venue", action="append", help="only this venue (repeatable)")
    p.add_argument("--years", help="only these years: 2020 or 2018-2024 or 2019,2021")
    p = add("charts", "list (or download) the charts and report in a bucket")
    p.add_argument("url")
    p.add_argument("--download", metavar="DIR", help="copy them into DIR")
    p = add("status", "the funnel of a crawl, from the bucket alone")
    p.add_argument("url")
    p = add("demo", "offline end-to-end crawl + analysis on bundled samples")
    p.add_argument("--out", default=None, help="output URL (default ./demo-out)")
    p.add_argument("--cluster", default=None, help="local (default) or none")
    add("venues", "the venue catalogue (configs/venues.yaml)")
    return parser


def _print_jsonl(rows: Sequence[dict[str, Any]]) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, default=str) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``toolcensus`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Dask's own INFO chatter (scheduler/nanny start-up and shutdown) only with -v;
    # set before distributed is imported, and inherited by local worker processes.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if args.verbose else "error")
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return commands.dispatch(args, _print_jsonl)
    except ConfigError as exc:
        print(f"toolcensus: error: {exc}", file=sys.stderr)
        return 2
    except CrawlError as exc:
        print(f"toolcensus: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("toolcensus: interrupted; re-run the same command to resume", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (``toolcensus … | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        print(f"toolcensus: {exc}; check the path, its permissions and free space",
              file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line, the traceback only with -v
        if args.verbose:
            traceback.print_exc()
        print(f"toolcensus: unexpected error {type(exc).__name__}: {exc}; re-run with -v for "
              "the traceback and please report it", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
