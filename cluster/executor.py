"""Run a function over many tasks with a bounded number in flight.

With ``client=None`` it is a plain loop (debuggable in a REPL); with a
``distributed.Client`` at most ``window`` futures exist at once, results are
yielded as they complete and released immediately, so that the client's
memory does not grow with the number of tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")


def run_windowed(
    fn: Callable[..., Any],
    tasks: Iterable[T],
    *args: Any,
    client: Any = None,
    window: int = 256,
    key: Callable[[T], str] | None = None,
) -> Iterator[tuple[T, Any]]:
    """Yield ``(task, fn(task, *args))``; a task whose future failed yields the exception.

    Task keys are ``key(task)`` prefixed with the function name, so a task
    that is resubmitted while still known to the scheduler is not run twice.
    """
    if client is None:
        for task in tasks:
            yield task, fn(task, *args)
        return
    from distributed import as_completed

    it = iter(tasks)
    owner: dict[str, T] = {}

    def submit(task: T) -> Any:
        name = f"{fn.__name__}-{key(task)}" if key else None
        fut = client.submit(fn, task, *args, key=name, pure=False, retries=1)
        owner[fut.key] = task
        return fut

    pending = as_completed([submit(t) for t in islice(it, max(1, window))], with_results=False)
    for fut in pending:
        task = owner.pop(fut.key)
        try:
            outcome = fut.result()
        except Exception as exc:  # a lost task is reported, never dropped
            outcome = exc
        fut.release()
        nxt = next(it, None)
        if nxt is not None:
            pending.add(submit(nxt))
        yield task, outcome

