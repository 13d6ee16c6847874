"""What one audit is asked to do: every default declared once, layered by priority.

Settings come from four layers, each overriding the one before (as scrapy's settings do):

1. the defaults declared on :class:`AuditSettings` (the only place a default is written);
2. the portal config (``config/portals/<id>.yaml``: limits, platform, domain, token variable);
3. the environment (``AUDITOR_APP_TOKEN``, ``AUDITOR_ALLOW_HOSTS``, ``AUDITOR_ALLOW_ADDRESSES``);
4. the flags the user actually typed (the CLI tells typed flags from defaults; a typed
   value equal to the default still wins over the config).

``auditor audit`` and ``auditor schedule`` both build their request here, so a portal is
audited the same way whichever starts it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.config import PortalConfig

#: Environment variables that set a setting (after the config, before typed flags).
ENVIRONMENT: dict[str, str] = {
    "AUDITOR_APP_TOKEN": "app_token",
    "AUDITOR_ALLOW_HOSTS": "allow_hosts",
    "AUDITOR_ALLOW_ADDRESSES": "allow_addresses",
}


@dataclass(frozen=True)
class AuditSettings:
    """Everything that shapes one audit of one portal."""

    url: str = ""
    portal_id: str = ""  # the id runs are stored under: the config id, else the URL
    platform: str | None = None
    domain: str = ""  # Socrata: the catalogue domain when it differs from the URL host
    title: str = ""
    max_datasets: int | None = None
    concurrency: int = 4
    max_rate: float | None = None
    timeout: float = 30.0
    retries: int = 3
    app_token: str = ""
    allow_hosts: tuple[str, ...] = ()
    allow_addresses: tuple[str, ...] = ()
    content: bool = True
    max_download_mb: float = 200.0
    sample_rows: int = 10_000
    suites: tuple[Path, ...] = ()
    full: bool = False
    selected: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rubric: Path | None = None
    as_of: datetime | None = None
    broken_after: int = 2
    languages: tuple[str, ...] = ()

    @property
    def workers(self) -> int:
        """Datasets completed and checked at once: enough to keep every host slot busy."""
        return max(2, self.concurrency * 2)

    def layered(self, *layers: Mapping[str, Any]) -> AuditSettings:
        """These settings with each layer's values applied in turn (later layers win)."""
        names = {f.name for f in fields(self)}
        merged: dict[str, Any] = {}
        for layer in layers:
            for key, value in layer.items():
                if key not in names:
                    raise KeyError(f"unknown setting {key!r}")
                merged[key] = _coerce(key, value)
        return replace(self, **merged)


#: The defaults, for the layers that keep their own copy of a setting (the HTTP client, the
#: file reader): they read it from here, so each default is written once.
DEFAULTS = AuditSettings()


def _coerce(key: str, value: Any) -> Any:
    if key in ("allow_hosts", "allow_addresses", "selected", "ignore", "languages"):
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return tuple(value)
    if key == "suites":
        return tuple(Path(v) for v in value)
    return value


def from_config(cfg: PortalConfig, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings a portal config sets (only those it sets); its token is read from the
    variable the config names."""
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {"url": cfg.url, "portal_id": cfg.id, "title": cfg.title, "domain": cfg.domain,
                           "broken_after": cfg.broken_after}
    for key in ("platform", "max_datasets", "max_download_mb", "concurrency", "max_rate", "timeout", "retries"):
        value = getattr(cfg, key)
        if value is not None:
            out[key] = value
    if cfg.allow_addresses:
        out["allow_addresses"] = tuple(cfg.allow_addresses)
    if cfg.language:
        out["languages"] = (cfg.language,)
    if cfg.app_token_env and environ.get(cfg.app_token_env):
        out["app_token"] = environ[cfg.app_token_env]
    return out


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings the environment sets."""
    environ = os.environ if environ is None else environ
    return {name: environ[var] for var, name in ENVIRONMENT.items() if environ.get(var)}


def settings_for(cfg: PortalConfig | None, typed: Mapping[str, Any], url: str = "",
                 environ: Mapping[str, str] | None = None) -> AuditSettings:
    """Defaults < portal config < environment < typed flags. The environment's addresses and
    the config's are both kept: each opens a network, neither closes one."""
    base = AuditSettings(url=url, portal_id=url)
    config = from_config(cfg, environ) if cfg is not None else {}
    env = from_environment(environ)
    settings = base.layered(config, env, typed)
    extra = tuple(a for a in (*config.get("allow_addresses", ()), *_coerce("allow_addresses",
                  env.get("allow_addresses", ()))) if a not in settings.allow_addresses)
    return replace(settings, allow_addresses=(*settings.allow_addresses, *extra))
