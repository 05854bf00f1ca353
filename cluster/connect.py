"""Turn ``--cluster`` into a ``distributed.Client``.

``local`` starts a ``LocalCluster`` sized to the machine (``n_workers`` and
``threads_per_worker`` in the run config override it); ``tcp://host:port``
(or ``DASK_SCHEDULER_ADDRESS``) connects to a running scheduler; a path to a
YAML cluster spec (``configs/cluster-*.yaml``) builds a Kubernetes, SLURM/PBS
or cloud cluster through its optional extra; ``none`` runs tasks in-process.
Everything a spec needs is checked by :func:`validate_cluster` before any
work starts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crawler.errors import ConfigError
from crawler.settings import Settings

log = logging.getLogger(__name__)
ADDRESS_SCHEMES = ("tcp://", "tls://", "ws://", "wss://", "ucx://")
CONNECT_TIMEOUT = "20s"
# Dask's ``distributed.admin.low-level-log-length`` (default 1000) sizes debugging
# logs, among them ``BatchedSend.recent_message_log``: the last N payloads sent
# on every batched stream, kept as live objects. The scheduler's stream to each
# worker carries ``compute-task`` messages holding each task's deserialized
# arguments (our batches of RepoTask), so with a LocalCluster, whose scheduler
# lives in the client process, the client kept up to 1000 payloads x workers of
# task arguments (measured: every one of 60,000 RepoTasks still alive after
# three 20k crawls). We shorten it for the clusters we start and the Client we
# make, unless the user configured a value of their own (see docs/bench/cluster.md).
LOG_LENGTH_KEY = "distributed.admin.low-level-log-length"
DASK_DEFAULT_LOG_LENGTH = 1000
LOG_LENGTH = 50


def kind_of(spec: str) -> str:
    """``none``, ``local``, ``address`` or ``spec`` (a YAML file); ``ConfigError`` otherwise."""
    spec = (spec or "local").strip()
    if spec in ("none", "local"):
        return spec
    if spec.startswith(ADDRESS_SCHEMES):
        return "address"
    if spec.endswith((".yaml", ".yml")):
        return "spec"
    raise ConfigError(
        f"--cluster {spec!r} is not understood: use 'local', 'none', a scheduler address "
        "like tcp://host:8786, or a cluster spec file like configs/cluster-slurm.yaml"
    )


def validate_cluster(spec: str) -> str:
    """Check ``--cluster`` before anything starts (spec file, extra installed); its kind."""
    kind = kind_of(spec)
    if kind == "spec":
        from cluster.specs import load_spec

        load_spec(spec.strip())
    return kind


def local_size(settings: Settings) -> tuple[int, int]:
    """Workers and threads for a LocalCluster: one process per core, I/O-bound threads."""
    cores = os.cpu_count() or 1
    workers = settings.n_workers or max(1, min(cores, 8))
    threads = settings.threads_per_worker or 4
    return workers, threads


def connect(address: str) -> Any:
    """A ``Client`` of a running scheduler, or a ``ConfigError`` that says what to check."""
    from distributed import Client

    try:
        return Client(address, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise ConfigError(
            f"cannot reach a Dask scheduler at {address} ({type(exc).__name__}): is "
            "'dask scheduler' running there and the port open? Use --cluster local to run "
            "on this machine"
        ) from exc


@contextmanager
def get_client(spec: str, settings: Settings) -> Iterator[Any]:
    """Yield a ``distributed.Client`` (or ``None`` for ``none``), closing what it started."""
    kind = validate_cluster(spec)
    spec = (spec or "local").strip()
    if kind == "none":
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({LOG_LENGTH_KEY: log_length()}):
        if kind == "address":
            client = connect(spec)
            try:
                yield client
            finally:
                client.close()
            return
        if kind == "local":
            workers, threads = local_size(settings)
            cluster: Any = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers, threads_per_worker=threads, processes=True,
                host="127.0.0.1", dashboard_address=":0",
            )
            with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
                yield client
            return
        from cluster.specs import cluster_from_spec

        with cluster_from_spec(spec) as built, Client(built) as client:  # type: ignore[no-untyped-call]
            yield client


def log_length() -> int | None:
    """``LOG_LENGTH``, or the user's own ``low-level-log-length`` when they set one."""
    import dask

    current = dask.config.get(LOG_LENGTH_KEY, DASK_DEFAULT_LOG_LENGTH)
    return LOG_LENGTH if current == DASK_DEFAULT_LOG_LENGTH else current


def dashboard_link(client: Any) -> str:
    """The Dask dashboard URL of ``client``, or '' when there is none."""
    try:
        return str(client.dashboard_link or "")
    except Exception:  # no dashboard (bokeh missing, or disabled)
        return ""
