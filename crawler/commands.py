"""What each ``toolcensus`` command does; ``crawler.cli`` only parses arguments."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from crawler import datasets
from crawler import settings as settings_mod
from crawler.errors import ConfigError
from crawler.records import Paper
from crawler.settings import Settings

Emit = Callable[[Sequence[dict[str, Any]]], None]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_papers(venues: Sequence[str], settings: Settings) -> list[Paper]:
    """Papers from OpenReview venues and/or a ``--papers`` file, links file applied."""
    from crawler import discover, papers_file
    from crawler import venues as venues_mod

    if not venues and not settings.papers_file:
        raise ConfigError("name at least one VENUE (e.g. iclr2020; see 'toolcensus venues') "
                          "or give --papers FILE")
    papers: list[Paper] = []
    if venues:
        papers += discover.discover(venues_mod.resolve(venues), settings)
    if settings.papers_file:
        extra = papers_file.read_papers_file(settings.papers_file, settings)
        undated = sum(not p.snapshot_date for p in extra)
        if undated and settings.snapshot == "publication" and not settings.snapshot_date:
            _say(f"toolcensus: warning: {undated} papers of {settings.papers_file} have no "
                 "publication date (venue-year not in the catalogue, no snapshot_date column): "
                 "their repositories are read at head; add a snapshot_date column or give "
                 "--snapshot-date")
        papers += extra
    if settings.links_file:
        papers = papers_file.apply_links_file(papers, settings.links_file, settings)
    return papers


def print_funnel(out: str, options: Any = None) -> None:
    """Print the funnel of the crawl at ``out`` as a small table."""
    from analysis import funnel_table

    table = funnel_table(out, options)
    if table.empty:
        _say(f"no crawl results under {out} yet")
        return
    for (venue, year), rows in table.groupby(["venue", "year"], sort=True):
        stages = ", ".join(f"{s} {c}" for s, c in zip(rows["stage"], rows["count"], strict=True))
        print(f"{venue} {year}: {stages}")


def _papers_for_detach(args: argparse.Namespace, settings: Settings) -> list[Paper] | None:
    """Papers read here when they come from local files; None when the cluster discovers them."""
    if not args.venues and not settings.papers_file:
        raise ConfigError("name at least one VENUE (e.g. iclr2020; see 'toolcensus venues') "
                          "or give --papers FILE")
    if settings.papers_file or settings.links_file:
        return load_papers(args.venues, settings)  # local files do not exist on the cluster
    return None


def cmd_detach(args: argparse.Namespace, settings: Settings) -> int:
    """Submit the whole crawl to a running scheduler and return with its run id."""
    from cluster import detach
    from cluster.connect import connect, dashboard_link, validate_cluster

    if validate_cluster(settings.cluster) != "address":
        raise ConfigError("--detach needs a cluster that outlives this command: a running "
                          "scheduler, --cluster tcp://host:8786 (or DASK_SCHEDULER_ADDRESS)")
    papers = _papers_for_detach(args, settings)
    client = connect(settings.cluster)
    try:
        run_id = detach.submit(client, args.venues, papers, settings)
        link = dashboard_link(client)
    finally:
        client.close()
    print(run_id)
    _say(f"submitted run {run_id} to {settings.cluster}; it writes to {settings.out}")
    if link:
        _say(f"Dask dashboard: {link}")
    _say(f"follow it:  toolcensus status {settings.out}\n"
         f"cancel it:  toolcensus crawl --cancel {run_id} --cluster {settings.cluster} "
         f"--out {settings.out}")
    return 0


def cmd_cancel(args: argparse.Namespace, settings: Settings) -> int:
    """Stop a detached run cleanly (its futures are cancelled, its manifest says so)."""
    from cluster import detach
    from cluster.connect import connect, validate_cluster

    if validate_cluster(settings.cluster) != "address":
        raise ConfigError("--cancel needs the scheduler the run was submitted to: "
                          "--cluster tcp://host:8786")
    client = connect(settings.cluster)
    try:
        state = detach.cancel(client, settings, args.cancel)
    finally:
        client.close()
    print(f"run {args.cancel}: {state}")
    if state not in detach.TERMINAL:
        _say("the driver has not confirmed yet; check with 'toolcensus status "
             f"{settings.out}'")
        return 1
    return 0


def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    from cluster.connect import dashboard_link, get_client, validate_cluster
    from cluster.progress import ProgressDisplay
    from crawler import manifest
    from crawler.crawl import check_snapshot, crawl, snapshot_moment

    if getattr(args, "cancel", None):
        return cmd_cancel(args, settings)
    if settings.snapshot_date:  # a bad date fails before discovery, not per repository
        snapshot_moment(settings.snapshot_date)
    check_snapshot(settings)
    if getattr(args, "detach", False):
        return cmd_detach(args, settings)
    validate_cluster(settings.cluster)  # a bad spec fails before discovery starts
    papers = load_papers(args.venues, settings)
    run_id = manifest.new_run_id()
    _say(f"run {run_id}: {len(papers)} accepted papers; crawling into {settings.out}")
    with get_client(settings.cluster, settings) as client:
        if client is not None:
            _say(f"Dask dashboard: {dashboard_link(client) or '(none: install bokeh)'}")
        summary = crawl(papers, settings, client=client, progress=ProgressDisplay(),
                        run_id=run_id)
    _say(f"run {summary.run_id}: {summary.tasks} repositories fetched, "
         f"{summary.skipped} already done, {summary.seconds:.1f} s")
    print_funnel(settings.out, settings.storage_options)
    return 0


def cmd_discover(args: argparse.Namespace, settings: Settings, emit: Emit) -> int:
    papers = load_papers(args.venues, settings)
    if args.json:
        emit([datasets.paper_row(p) for p in papers])
        return 0
    for p in papers:
        links = " ".join(p.code_urls) or "-"
        print(f"{p.venue} {p.year}\t{p.tier or '?'}\t{p.paper_id}\t{p.title[:60]}\t{links}")
    _say(f"{len(papers)} accepted papers, {sum(bool(p.code_urls) for p in papers)} with a link")
    return 0


def cmd_extract(args: argparse.Namespace, emit: Emit) -> int:
    from crawler.errors import CrawlError
    from crawler.extract import extract_path

    status = 0
    for path in args.paths:
        try:
            obj = extract_path(path).to_json(path)
        except CrawlError as exc:
            status = max(status, 2 if isinstance(exc, ConfigError) else 1)
            message = str(exc) if str(exc).startswith(path) else f"{path}: {exc}"
            obj = {"path": path, "tools": [], "frameworks": [], "unresolved": [], "own": [],
                   "errors": [{"path": path, "reason": message}], "manifests": [],
                   "n_files": 0, "n_py_files": 0, "n_notebooks": 0}
            _say(f"toolcensus: {message}")
            if not args.json:
                print(f"{path}: not read (see the error above)")
                continue
        if args.json:
            emit([obj])
        else:
            print(f"{path}: frameworks: {', '.join(obj['frameworks']) or '-'}")
            for tool in obj["tools"]:
                spec = tool["spec"] or ""
                print(f"  {tool['name']}{spec}  [{','.join(tool['sources'])}]"
                      f"  {', '.join(tool['files'][:3])}")
            if obj["unresolved"]:
                print(f"  unresolved imports: {', '.join(obj['unresolved'])}")
            if obj["own"]:
                print(f"  the repository's own names (never tools): {', '.join(obj['own'])}")
    return status


def parse_years(text: str | None) -> list[int] | None:
    """``2020`` / ``2018-2024`` / ``2019,2021`` → a list of years."""
    if not text:
        return None
    years: list[int] = []
    try:
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            first, last = int(lo), int(hi or lo)
            if first > last:
                raise ValueError(f"{part} runs backwards")
            years += list(range(first, last + 1))
    except ValueError as exc:
        raise ConfigError(f"--years {text!r}: use 2020, 2018-2024 or 2019,2021") from exc
    return years


def crawled_partitions(url: str, options: Any = None) -> set[tuple[str, int]]:
    """The (venue, year) partitions of the ``papers`` dataset under ``url``."""
    from crawler import storage

    found = set()
    for path in storage.list_files(storage.join(url, "papers"), options, ".parquet"):
        parts = dict(p.split("=", 1) for p in path.split("/") if "=" in p)
        if "venue" in parts and parts.get("year", "").isdigit():
            found.add((parts["venue"], int(parts["year"])))
    return found


def check_analysable(in_url: str, venues: Sequence[str] | None, years: Sequence[int] | None,
                     options: Any = None) -> None:
    """Raise ``CrawlError`` when ``in_url`` has no datasets or the filters select none of them."""
    from crawler.errors import CrawlError

    present = crawled_partitions(in_url, options)
    if not present:
        raise CrawlError(f"no crawl datasets under {in_url} (no papers/*.parquet): run "
                         f"'toolcensus crawl VENUE --out {in_url}' first, or give --in URL")
    wanted = {v.upper() for v in venues or []}
    kept = [(v, y) for v, y in present
            if (not wanted or v.upper() in wanted) and (not years or y in years)]
    if not kept:
        have = ", ".join(f"{v} {y}" for v, y in sorted(present))
        raise CrawlError(f"nothing to analyse: {in_url} holds {have}, and --venue/--years "
                         "select none of them; pick from those")


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    from analysis import analyze

    in_url = args.in_url or settings.out
    check_analysable(in_url, args.venue, parse_years(args.years), settings.storage_options)
    summary = analyze(in_url, args.out_url, settings.storage_options, venues=args.venue,
                      years=parse_years(args.years))
    print(f"report: {summary.get('report', '')}")
    for chart in summary.get("charts", []):
        print(f"chart: {chart}")
    return 0


def cmd_charts(args: argparse.Namespace, settings: Settings) -> int:
    from analysis import download_outputs, list_outputs

    if args.download:
        lines = download_outputs(args.url, args.download, settings.storage_options)
    else:
        lines = [f"{name}\t{link}" for name, link in
                 list_outputs(args.url, settings.storage_options)]
    if not lines:
        _say(f"no charts or report under {args.url}; run 'toolcensus analyze --in {args.url}'")
        return 1
    for line in lines:
        print(line)
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from crawler import manifest
    from crawler.status import describe

    text = describe(args.url, settings.storage_options)
    if manifest.latest(args.url, settings.storage_options) is None:
        _say(text)  # nothing there: a typo in URL should not look like success
        return 1
    print(text)
    return 0


def dispatch(args: argparse.Namespace, emit: Emit) -> int:
    """Run the command named in ``args``."""
    overrides = {k: getattr(args, k, None) for k in (
        "out", "cluster", "snapshot", "snapshot_date", "limit", "fresh", "papers_file",
        "links_file", "keep_archives")}
    settings = settings_mod.load(getattr(args, "config", None), **overrides)
    if args.command == "crawl":
        return cmd_crawl(args, settings)
    if args.command == "discover":
        return cmd_discover(args, settings, emit)
    if args.command == "extract":
        return cmd_extract(args, emit)
    if args.command == "analyze":
        return cmd_analyze(args, settings)
    if args.command == "charts":
        return cmd_charts(args, settings)
    if args.command == "status":
        return cmd_status(args, settings)
    if args.command == "venues":
        from crawler.venues import format_catalogue, load_catalogue

        print(format_catalogue(load_catalogue()))
        return 0
    if args.command == "demo":
        from crawler.demo.run import run_demo

        return run_demo(args.out or "./demo-out", args.cluster or "local")
    raise ConfigError(f"unknown command {args.command!r}")
