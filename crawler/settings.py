"""One settings object with a stated precedence.

``defaults < config file (--config, YAML) < environment < command-line flags``.

Settings travel to Dask workers explicitly (they pickle); workers never read
the client's environment. Secrets are excluded from ``repr`` and from
``public_dict`` so that they never reach a log line or the run manifest.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from crawler.errors import ConfigError

SECRET_FIELDS = frozenset({"github_token", "openreview_password", "openreview_token"})
CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

# environment variable -> settings field
ENV_VARS: dict[str, str] = {
    "DASK_SCHEDULER_ADDRESS": "cluster",
    "GITHUB_TOKEN": "github_token",
    "TOOLCENSUS_GITHUB_API_URL": "github_api_url",
    "TOOLCENSUS_GITHUB_ARCHIVE_URL": "github_archive_url",
    "TOOLCENSUS_GITLAB_URL": "gitlab_url",
    "OPENREVIEW_API_BASEURL": "openreview_baseurl",
    "OPENREVIEW_API_BASEURL_V2": "openreview_baseurl_v2",
    "OPENREVIEW_USERNAME": "openreview_username",
    "OPENREVIEW_PASSWORD": "openreview_password",
    "OPENREVIEW_TOKEN": "openreview_token",
    "TOOLCENSUS_OUT": "out",
}


@dataclass(frozen=True)
class Settings:
    """Every knob of a crawl, with its default."""

    out: str = "./census"
    cluster: str = "local"
    snapshot: str = "publication"  # publication | head
    snapshot_date: str = ""  # explicit ISO date overrides the venue's date
    limit: int = 0  # 0 = no limit; else at most N papers per venue-year
    fresh: bool = False
    papers_file: str = ""
    links_file: str = ""
    keep_archives: bool = False
    storage_options: Mapping[str, Any] = field(default_factory=dict)
    # cluster
    n_workers: int = 0  # 0 = sized to the machine
    threads_per_worker: int = 0
    window: int = 256  # cluster tasks in flight at once
    batch_size: int = 0  # repositories per cluster task; 0 = automatic (1 for small crawls)
    # GitHub / GitLab
    github_api_url: str = "https://api.github.com"
    github_archive_url: str = "https://codeload.github.com"
    gitlab_url: str = "https://gitlab.com"
    github_token: str = field(default="", repr=False)
    max_archive_bytes: int = 512 * 1024 * 1024
    max_member_bytes: int = 8 * 1024 * 1024
    max_repo_bytes: int = 256 * 1024 * 1024  # decompressed bytes read per repository
    concurrent_downloads: int = 8  # cluster-wide
    requests_per_second: float = 10.0  # cluster-wide, GitHub
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff_base: float = 0.5
    max_retry_wait: float = 120.0  # ceiling for Retry-After / rate-limit reset
    # OpenReview
    openreview_baseurl: str = "https://api.openreview.net"
    openreview_baseurl_v2: str = "https://api2.openreview.net"
    openreview_username: str = ""
    openreview_password: str = field(default="", repr=False)
    openreview_token: str = field(default="", repr=False)
    openreview_pace: float = 1.0  # seconds between OpenReview requests

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def public_dict(self) -> dict[str, Any]:
        """All settings except secrets: safe for logs and the run manifest."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                value = "<set>" if value else ""
            elif f.name == "storage_options":
                hidden = ("key", "secret", "token")
                value = {k: v for k, v in dict(value).items() if k not in hidden}
            out[f.name] = value
        return out


def _coerce(name: str, value: Any) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    if name not in kinds:
        raise ConfigError(f"unknown setting {name!r}; known settings: {', '.join(sorted(kinds))}")
    kind = str(kinds[name])
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r} expects {kind}, got {value!r}") from exc
    return value


def read_config_file(path: str) -> dict[str, Any]:
    """Read a YAML run config; keys are settings field names."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"config file {path} is not valid YAML ({exc}); fix it, see configs/run-example.yaml"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of setting: value")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def storage_options_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """S3-compatible endpoint and keys from the standard variables, made explicit.

    Workers then get them inside ``Settings`` instead of relying on their own
    environment matching the client's.
    """
    opts: dict[str, Any] = {}
    endpoint = (env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
                or env.get("FSSPEC_S3_ENDPOINT_URL"))
    if endpoint:
        opts["endpoint_url"] = endpoint
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        opts["key"] = env["AWS_ACCESS_KEY_ID"]
        opts["secret"] = env["AWS_SECRET_ACCESS_KEY"]
    return opts


def load(
    config_file: str | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from defaults < config file < environment < ``overrides`` (flags).

    Overrides whose value is ``None`` are ignored, so CLI flags that were not
    given do not shadow lower layers.

    >>> load(env={}, limit=3).limit
    3
    """
    env = os.environ if env is None else env
    layered: dict[str, Any] = {}
    if config_file:
        layered.update(read_config_file(config_file))
    for var, name in ENV_VARS.items():
        if env.get(var):
            layered[name] = env[var]
    env_storage = storage_options_from_env(env)
    if env_storage:
        layered["storage_options"] = {**env_storage, **dict(layered.get("storage_options") or {})}
    layered.update({k: v for k, v in overrides.items() if v is not None})
    values = {k: _coerce(k, v) for k, v in layered.items()}
    settings = Settings(**values)
    if settings.snapshot not in ("publication", "head"):
        raise ConfigError(f"--snapshot must be 'publication' or 'head', not {settings.snapshot!r}")
    return settings
