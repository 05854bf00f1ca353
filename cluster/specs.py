"""YAML cluster specs: Kubernetes, SLURM/PBS and cloud VMs behind optional extras.

A spec file names a ``kind``, how many workers (a fixed ``workers: N`` or
``adapt: {minimum, maximum}``; one of the two is required so that a typo can
never start an unbounded number of machines) and ``options`` passed to the
cluster manager's constructor::

    kind: slurm                # local | kubernetes | slurm | pbs | ec2 | gcp | azure
    workers: 8                 # or: adapt: {minimum: 0, maximum: 40}
    options: {cores: 4, memory: 16GB, walltime: "04:00:00"}

:func:`load_spec` validates everything it can without importing the extra
(kind, required options, worker bounds), then checks that the extra is
installed, so that ``toolcensus crawl`` fails in a second, before discovery
starts and before any machine is requested.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crawler.errors import ConfigError

TOP_KEYS = frozenset({"kind", "workers", "adapt", "options"})
MAX_WORKERS_WITHOUT_CONFIRM = 1000  # a guard against a typo like 40000


@dataclass(frozen=True)
class Kind:
    """How to build one kind of cluster."""

    module: str  # where the cluster class lives
    cls: str
    extra: str  # the toolcensus extra that installs it ("" = always there)
    package: str  # the PyPI distribution of the extra
    required: tuple[str, ...] = ()  # options that have no sensible default


KINDS: dict[str, Kind] = {
    "local": Kind("distributed", "LocalCluster", "", "distributed"),
    "kubernetes": Kind("dask_kubernetes.operator", "KubeCluster", "kubernetes",
                       "dask-kubernetes", ("image",)),
    "slurm": Kind("dask_jobqueue", "SLURMCluster", "jobqueue", "dask-jobqueue",
                  ("cores", "memory")),
    "pbs": Kind("dask_jobqueue", "PBSCluster", "jobqueue", "dask-jobqueue",
                ("cores", "memory")),
    "ec2": Kind("dask_cloudprovider.aws", "EC2Cluster", "cloud", "dask-cloudprovider",
                ("region", "instance_type")),
    "gcp": Kind("dask_cloudprovider.gcp", "GCPCluster", "cloud", "dask-cloudprovider",
                ("projectid", "zone", "machine_type")),
    "azure": Kind("dask_cloudprovider.azure", "AzureVMCluster", "cloud", "dask-cloudprovider",
                  ("resource_group", "vnet", "security_group", "location")),
}


@dataclass(frozen=True)
class ClusterSpec:
    """A validated cluster spec."""

    path: str
    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)
    workers: int | None = None
    adapt: tuple[int, int] | None = None  # (minimum, maximum)

    @property
    def max_workers(self) -> int:
        return self.adapt[1] if self.adapt else int(self.workers or 0)


def _read(path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read cluster spec {path}: {exc.strerror}; "
                          "see configs/cluster-*.yaml for examples") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"cluster spec {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"cluster spec {path} must be a mapping with 'kind' and 'options'")
    return data


def _count(path: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"cluster spec {path}: {name} must be a whole number ≥ 0, "
                          f"not {value!r}")
    if value > MAX_WORKERS_WITHOUT_CONFIRM:
        raise ConfigError(f"cluster spec {path}: {name}={value} is more than "
                          f"{MAX_WORKERS_WITHOUT_CONFIRM} workers; is that a typo?")
    return value


def _bounds(path: str, data: Mapping[str, Any]) -> tuple[int | None, tuple[int, int] | None]:
    """``workers`` or ``adapt``; exactly one is required (cost control)."""
    if ("workers" in data) == ("adapt" in data):
        raise ConfigError(f"cluster spec {path}: give exactly one of 'workers: N' or "
                          "'adapt: {minimum: 0, maximum: N}' so the size of the cluster is "
                          "bounded")
    if "workers" in data:
        return _count(path, "workers", data["workers"]), None
    adapt = data["adapt"]
    if not isinstance(adapt, dict) or "maximum" not in adapt:
        raise ConfigError(f"cluster spec {path}: adapt needs a maximum, "
                          "e.g. adapt: {minimum: 0, maximum: 20}")
    lo = _count(path, "adapt.minimum", adapt.get("minimum", 0))
    hi = _count(path, "adapt.maximum", adapt["maximum"])
    if lo > hi or hi == 0:
        raise ConfigError(f"cluster spec {path}: adapt needs 0 ≤ minimum ≤ maximum and "
                          f"maximum > 0, got {lo}..{hi}")
    return None, (lo, hi)


def validate(path: str, data: Mapping[str, Any]) -> ClusterSpec:
    """Check a parsed spec without importing anything; raise ``ConfigError``."""
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise ConfigError(f"cluster spec {path}: unknown keys {', '.join(unknown)}; "
                          f"allowed: {', '.join(sorted(TOP_KEYS))}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"cluster spec {path}: kind must be one of {', '.join(KINDS)}, "
                          f"not {kind!r}")
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise ConfigError(f"cluster spec {path}: options must be a mapping")
    missing = [k for k in KINDS[kind].required if k not in options]
    if missing:
        raise ConfigError(f"cluster spec {path}: kind {kind} needs options "
                          f"{', '.join(missing)}; see configs/cluster-{kind}.yaml")
    workers, adapt = _bounds(path, data)
    return ClusterSpec(path, str(kind), dict(options), workers, adapt)


def require_extra(spec: ClusterSpec) -> type:
    """The cluster class of ``spec``; a ``ConfigError`` saying what to install if missing."""
    kind = KINDS[spec.kind]
    top = kind.module.split(".")[0]
    hint = (f"pip install 'toolcensus[{kind.extra}]' (or pip install {kind.package})"
            if kind.extra else f"pip install {kind.package}")
    if importlib.util.find_spec(top) is None:
        raise ConfigError(f"cluster spec {spec.path} (kind {spec.kind}) needs {kind.package}, "
                          f"which is not installed: {hint}")
    try:
        module = importlib.import_module(kind.module)
    except ImportError as exc:
        raise ConfigError(f"cluster spec {spec.path}: importing {kind.module} failed ({exc}); "
                          f"reinstall with {hint}") from exc
    cls = getattr(module, kind.cls, None)
    if not isinstance(cls, type):
        raise ConfigError(f"{kind.module} has no {kind.cls}; upgrade {kind.package}")
    return cls


def load_spec(path: str) -> ClusterSpec:
    """Read, validate and check the extra of a cluster spec file."""
    spec = validate(path, _read(path))
    require_extra(spec)
    return spec


@contextmanager
def cluster_from_spec(path: str) -> Iterator[Any]:
    """Start the cluster a spec describes, scale it, and always close it."""
    spec = load_spec(path)
    cls = require_extra(spec)
    options = dict(spec.options)
    if spec.kind == "local":
        options.setdefault("n_workers", 0)
    cluster = cls(**options)
    try:
        if spec.adapt:
            cluster.adapt(minimum=spec.adapt[0], maximum=spec.adapt[1])
        else:
            cluster.scale(spec.workers or 0)
        yield cluster
    finally:
        cluster.close()
