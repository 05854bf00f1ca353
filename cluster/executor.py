"""Run a function over many tasks with a bounded number in flight.

With ``client=None`` it is a plain loop (debuggable in a REPL); with a
``distributed.Client`` at most ``window`` futures exist at once, results are
yielded as they complete and released immediately, so that the client's
memory does not grow with the number of tasks. Tasks are read lazily from
the iterable, so a generator of 50,000 tasks is never materialised here.

A ``stop`` callable is polled between completions (and while waiting): when
it returns True, or when the consumer closes the generator, every future
still in flight is cancelled, so that nothing keeps running (or costing) for
a crawl that was stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.05


def run_windowed(
    fn: Callable[..., Any],
    tasks: Iterable[T],
    *args: Any,
    client: Any = None,
    window: int = 256,
    key: Callable[[T], str] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Generator[tuple[T, Any], None, None]:
    """Yield ``(task, fn(task, *args))``; a task whose future failed yields the exception.

    Task keys are ``key(task)`` prefixed with the function name, so a task
    that is resubmitted while still known to the scheduler is not run twice.
    """
    if client is None:
        for task in tasks:
            if stop is not None and stop():
                return
            yield task, fn(task, *args)
        return
    yield from _windowed(fn, iter(tasks), args, client, max(1, window), key, stop)


def _windowed(
    fn: Callable[..., Any],
    it: Iterator[T],
    args: tuple[Any, ...],
    client: Any,
    window: int,
    key: Callable[[T], str] | None,
    stop: Callable[[], bool] | None,
) -> Generator[tuple[T, Any], None, None]:
    from distributed import as_completed

    in_flight: dict[str, tuple[T, Any]] = {}

    def submit(batch: list[T]) -> list[Any]:
        """One graph submission for a whole batch (far cheaper than one per task)."""
        if not batch:
            return []
        keys = [f"{fn.__name__}-{key(t)}" for t in batch] if key else None
        extra = [[a] * len(batch) for a in args]
        futs = client.map(fn, batch, *extra, key=keys, pure=False, retries=1)
        for task, fut in zip(batch, futs, strict=True):
            in_flight[fut.key] = (task, fut)
        return list(futs)

    pending: Any = as_completed(  # type: ignore[no-untyped-call]
        submit(list(islice(it, window))), with_results=True, raise_errors=False)
    try:
        while not pending.is_empty():
            if stop is not None and not pending.has_ready():
                if stop():
                    return
                time.sleep(POLL_SECONDS)
                continue
            finished = []
            for fut, result in pending.next_batch(block=True):
                task, _ = in_flight.pop(fut.key)
                finished.append((task, _outcome(fut, result)))
                fut.release()
            for item in finished:
                yield item
                if stop is not None and stop():
                    return
            pending.update(submit(list(islice(it, len(finished)))))  # one graph per refill
    finally:
        if in_flight:
            client.cancel([f for _, f in in_flight.values()])
            in_flight.clear()


def _outcome(fut: Any, result: Any) -> Any:
    """The task's value, or the exception of a failed or cancelled (lost) task."""
    if fut.status == "error":
        exc = result[1] if isinstance(result, tuple) and len(result) == 3 else result
        return exc if isinstance(exc, BaseException) else RuntimeError(str(exc))
    return result
