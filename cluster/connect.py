"""Turn ``--cluster`` into a ``distributed.Client``.

``local`` starts a ``LocalCluster`` sized to the machine; ``tcp://host:port``
(or ``DASK_SCHEDULER_ADDRESS``) connects to a running scheduler; a path to a
YAML cluster spec (``configs/cluster-*.yaml``) builds a Kubernetes, SLURM/PBS
or cloud cluster through its optional extra; ``none`` runs tasks in-process.
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


def local_size(settings: Settings) -> tuple[int, int]:
    """Workers and threads for a LocalCluster: one process per core, I/O-bound threads."""
    cores = os.cpu_count() or 1
    workers = settings.n_workers or max(1, min(cores, 8))
    threads = settings.threads_per_worker or 4
    return workers, threads


@contextmanager
def get_client(spec: str, settings: Settings) -> Iterator[Any]:
    """Yield a ``distributed.Client`` (or ``None`` for ``none``), closing what it started."""
    spec = (spec or "local").strip()
    if spec == "none":
        yield None
        return
    from distributed import Client, LocalCluster

    if spec == "local":
        workers, threads = local_size(settings)
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=threads, processes=True,
            host="127.0.0.1", dashboard_address=":0",
        )
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()
        return
    if spec.startswith(("tcp://", "tls://", "ws://", "wss://")):
        client = Client(spec)
        try:
            yield client
        finally:
            client.close()
        return
    if spec.endswith((".yaml", ".yml")):
        from cluster.specs import cluster_from_spec

        with cluster_from_spec(spec) as cluster:
            client = Client(cluster)
            try:
                yield client
            finally:
                client.close()
        return
    raise ConfigError(
        f"--cluster {spec!r} is not understood: use 'local', 'none', a scheduler address "
        "like tcp://host:8786, or a cluster spec file like configs/cluster-slurm.yaml"
    )


def dashboard_link(client: Any) -> str:
    """The Dask dashboard URL of ``client``, or '' when there is none."""
    try:
        return str(client.dashboard_link or "")
    except Exception:  # no dashboard (bokeh missing, or disabled)
        return ""
