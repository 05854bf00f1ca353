"""Submit a whole crawl, driver included, to a running cluster and walk away.

``submit`` writes the run's manifest (state ``submitted``), then hands
:func:`drive` to the scheduler with ``fire_and_forget``: the task outlives
the submitting client. On a worker, ``drive`` enters ``worker_client()``
(which secedes, so it holds no thread slot), discovers the papers if it was
given venues, and runs the ordinary :func:`crawler.crawl.crawl` with a stop
check. If the worker running the driver dies, the scheduler runs ``drive``
again elsewhere and it resumes from the fragments already written.

``cancel`` sets a ``distributed.Event`` named after the run id; the driver
polls it between completions, cancels its futures and marks the manifest
``cancelled``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from crawler import manifest
from crawler.errors import ConfigError
from crawler.records import Paper
from crawler.settings import Settings

log = logging.getLogger(__name__)
CHECK_EVERY = 0.5  # seconds between cancel checks (each is a scheduler round trip)
TERMINAL = ("finished", "cancelled", "failed")


def driver_key(run_id: str) -> str:
    return f"toolcensus-driver-{run_id}"


def cancel_event_name(run_id: str) -> str:
    return f"toolcensus-cancel-{run_id}"


def cancel_checker(client: Any, run_id: str, every: float = CHECK_EVERY) -> Callable[[], bool]:
    """A cheap ``stop()`` for ``crawl``: asks the scheduler at most every ``every`` s."""
    from distributed import Event

    event: Any = Event(cancel_event_name(run_id), client=client)  # type: ignore[no-untyped-call]
    last = [0.0, False]

    def stop() -> bool:
        now = time.monotonic()
        if not last[1] and now - float(last[0]) >= every:
            last[0] = now
            last[1] = bool(event.is_set())
        return bool(last[1])

    return stop


def drive(venues: Sequence[str], papers: Sequence[Paper] | None, settings: Settings,
          run_id: str) -> str:
    """The detached driver (runs on a worker): discover if needed, crawl; the final state."""
    from distributed import worker_client

    from crawler.crawl import crawl

    try:
        with worker_client() as client:  # secedes: no thread slot held while waiting
            stop = cancel_checker(client, run_id)
            if stop():
                manifest.write(settings, run_id, "cancelled", {"tasks_done": 0})
                return "cancelled"
            if papers is None:
                from crawler.commands import load_papers

                papers = load_papers(venues, settings)
            crawl(papers, settings, client=client, run_id=run_id, stop=stop)
    except Exception as exc:
        log.exception("detached run %s failed", run_id)
        manifest.write(settings, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
        raise
    doc = manifest.read(settings.out, run_id, settings.storage_options) or {}
    return str(doc.get("state", "finished"))


def submit(client: Any, venues: Sequence[str], papers: Sequence[Paper] | None,
           settings: Settings, run_id: str | None = None, confirm: float = 30.0) -> str:
    """Hand the crawl to the cluster; return its run id once the scheduler holds it."""
    from distributed import fire_and_forget

    run_id = run_id or manifest.new_run_id()
    manifest.write(settings, run_id, "submitted", {
        "venues": list(venues), "papers": len(papers) if papers is not None else None,
        "driver": driver_key(run_id),
    })
    future = client.submit(drive, list(venues), None if papers is None else list(papers),
                           settings, run_id, key=driver_key(run_id), pure=False)
    fire_and_forget(future)  # type: ignore[no-untyped-call]
    wait_known(client, driver_key(run_id), confirm)
    return run_id


def _has_task(dask_scheduler: Any, key: str) -> bool:
    return key in dask_scheduler.tasks


def wait_known(client: Any, key: str, seconds: float) -> None:
    """Block until the scheduler knows ``key`` (so the submitter may exit at once)."""
    deadline = time.monotonic() + seconds
    while not client.run_on_scheduler(_has_task, key=key):
        if time.monotonic() > deadline:
            raise ConfigError(f"the scheduler did not accept the crawl driver within {seconds} s")
        time.sleep(0.05)


def cancel(client: Any, settings: Settings, run_id: str, wait: float = 60.0) -> str:
    """Ask a detached run to stop; its state after up to ``wait`` seconds."""
    from distributed import Event

    doc = manifest.read(settings.out, run_id, settings.storage_options)
    if doc is None:
        raise ConfigError(f"no run {run_id} under {settings.out} (see _runs/); "
                          "give the --out of the crawl you want to cancel")
    if doc.get("state") in TERMINAL:
        return str(doc["state"])
    Event(cancel_event_name(run_id), client=client).set()  # type: ignore[no-untyped-call]
    if doc.get("state") == "submitted":  # not started yet: drop the driver task itself
        from distributed import Future

        client.cancel([Future(driver_key(run_id), client)], force=True)
        manifest.write(settings, run_id, "cancelled", {"tasks_done": 0})
        return "cancelled"
    deadline = time.monotonic() + wait
    state = str(doc.get("state"))
    while time.monotonic() < deadline:
        doc = manifest.read(settings.out, run_id, settings.storage_options) or {}
        state = str(doc.get("state"))
        if state in TERMINAL:
            return state
        time.sleep(0.2)
    return state
