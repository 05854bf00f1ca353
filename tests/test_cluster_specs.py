"""``--cluster``: kinds, YAML specs validated before anything starts, missing extras."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cluster.connect import get_client, kind_of, validate_cluster
from cluster.specs import KINDS, _read, cluster_from_spec, load_spec, validate
from crawler import settings as settings_mod
from crawler.errors import ConfigError

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
EXAMPLES = sorted(CONFIGS.glob("cluster-*.yaml"))


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_kinds_of_cluster_argument() -> None:
    assert kind_of("local") == "local"
    assert kind_of("") == "local"
    assert kind_of("none") == "none"
    assert kind_of("tcp://10.0.0.1:8786") == "address"
    assert kind_of("configs/cluster-slurm.yaml") == "spec"
    with pytest.raises(ConfigError, match="not understood"):
        kind_of("yarn")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_spec_is_valid(path: Path) -> None:
    spec = validate(str(path), _read(str(path)))
    assert spec.kind in KINDS
    assert spec.max_workers > 0
    assert path.name == f"cluster-{spec.kind}.yaml"


def test_examples_cover_kubernetes_slurm_pbs_and_cloud() -> None:
    kinds = {validate(str(p), _read(str(p))).kind for p in EXAMPLES}
    assert {"kubernetes", "slurm", "pbs", "ec2", "gcp", "azure", "local"} <= kinds


@pytest.mark.parametrize(("text", "message"), [
    ("kind: yarn\nworkers: 1\n", "kind must be one of"),
    ("kind: slurm\nworkers: 2\noptions: {cores: 4}\n", "needs options memory"),
    ("kind: slurm\noptions: {cores: 4, memory: 8GB}\n", "exactly one of"),
    ("kind: slurm\nworkers: 2\nadapt: {maximum: 3}\noptions: {cores: 4, memory: 8GB}\n",
     "exactly one of"),
    ("kind: pbs\nadapt: {minimum: 2}\noptions: {cores: 4, memory: 8GB}\n", "needs a maximum"),
    ("kind: pbs\nadapt: {minimum: 5, maximum: 2}\noptions: {cores: 4, memory: 8GB}\n",
     "minimum ≤ maximum"),
    ("kind: ec2\nworkers: 40000\noptions: {region: x, instance_type: y}\n", "typo"),
    ("kind: ec2\nworkers: -1\noptions: {region: x, instance_type: y}\n", "whole number"),
    ("kind: local\nworkers: 1\nscale: 3\n", "unknown keys scale"),
    ("- a\n- b\n", "must be a mapping"),
    ("kind: [unclosed\n", "not valid YAML"),
])
def test_bad_specs_are_refused_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_spec(write(tmp_path, text))


def test_missing_spec_file_says_where_examples_are() -> None:
    with pytest.raises(ConfigError, match="configs/cluster"):
        validate_cluster("/nonexistent/cluster.yaml")


@pytest.mark.parametrize(("kind", "extra"), [
    ("slurm", "jobqueue"), ("pbs", "jobqueue"), ("kubernetes", "kubernetes"), ("ec2", "cloud"),
])
def test_missing_extra_is_named_with_the_install_command(kind: str, extra: str) -> None:
    module = KINDS[kind].module.split(".")[0]
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    with pytest.raises(ConfigError) as info:
        validate_cluster(str(CONFIGS / f"cluster-{kind}.yaml"))
    assert f"pip install 'toolcensus[{extra}]'" in str(info.value)
    assert KINDS[kind].package in str(info.value)


def test_get_client_validates_before_starting_anything() -> None:
    settings = settings_mod.load(env={})
    with pytest.raises(ConfigError, match="toolcensus\\[jobqueue\\]"):
        with get_client(str(CONFIGS / "cluster-slurm.yaml"), settings):
            pytest.fail("a cluster was started for an invalid spec")


def test_local_spec_starts_scales_and_closes(tmp_path: Path) -> None:
    path = write(tmp_path, "kind: local\nworkers: 2\noptions:\n  processes: false\n"
                           "  threads_per_worker: 1\n  dashboard_address: null\n")
    with cluster_from_spec(path) as cluster:
        from distributed import Client

        with Client(cluster) as client:
            client.wait_for_workers(2, timeout=30)
            assert client.submit(sum, [1, 2]).result() == 3
    assert cluster.status.name == "closed"


def test_unreachable_scheduler_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings_mod.load(env={})
    monkeypatch.setattr("cluster.connect.CONNECT_TIMEOUT", "1s")
    with pytest.raises(ConfigError, match="cannot reach a Dask scheduler"):
        with get_client(f"tcp://127.0.0.1:{port}", settings):
            pass
