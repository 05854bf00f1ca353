from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import ConfigError
from crawler.settings import Settings, load


def test_precedence_defaults_file_env_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "run.yaml"
    cfg.write_text("out: s3://from-file/x\nlimit: 5\nwindow: 7\ncluster: local\n")
    env = {"TOOLCENSUS_OUT": "s3://from-env/y", "DASK_SCHEDULER_ADDRESS": "tcp://h:8786"}
    s = load(str(cfg), env=env, limit=9, cluster=None)
    assert s.window == 7  # file beats default
    assert s.out == "s3://from-env/y"  # env beats file
    assert s.cluster == "tcp://h:8786"  # env beats file; None flag does not shadow
    assert s.limit == 9  # flag beats file
    assert load(env={}).out == Settings().out


def test_secrets_never_in_repr_or_public_dict() -> None:
    s = load(env={"GITHUB_TOKEN": "ghp_secret123", "OPENREVIEW_PASSWORD": "pw-secret"})
    assert s.github_token == "ghp_secret123"
    assert "ghp_secret123" not in repr(s)
    public = str(s.public_dict())
    assert "ghp_secret123" not in public and "pw-secret" not in public


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"snapshot": "yesterday"}, "--snapshot"), ({"limit": "many"}, "limit"),
     ({"no_such_knob": 1}, "unknown setting")],
)
def test_bad_settings_are_config_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(env={}, **overrides)


def test_config_file_must_be_a_mapping(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load(str(cfg), env={})
    with pytest.raises(ConfigError, match="cannot read"):
        load(str(tmp_path / "missing.yaml"), env={})


def test_malformed_yaml_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "broken.yaml"
    cfg.write_text("out: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load(str(cfg), env={})
