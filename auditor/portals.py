"""Portal configs (``config/portals/*.yaml``), validated with pydantic on load.

A config says which portal to audit, when, how hard, and who owns what: a city's data
officer writes it once. Every mistake is one line naming the file and the key path
(``chicago.yaml: schedule.cron: expected 5 fields``); an unknown key is a mistake, so a
typo never silently turns a setting off. Secrets are never in the file: ``app_token_env``
names the environment variable that holds the token.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from auditor.errors import ConfigError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(_Strict):
    """When the nightly audit runs: a five-field cron expression in a time zone."""

    cron: str = "0 2 * * *"
    timezone: str = "UTC"

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError("expected 5 cron fields: minute hour day month weekday (for example '0 2 * * *')")
        # The scheduler's own parser decides: whatever passes here, it can run.
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            raise ValueError(f"the scheduler cannot read {value!r}: {str(exc).splitlines()[0]}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like 'America/Chicago')") from None
        return value


class Limits(_Strict):
    """How hard to crawl."""

    # The same bounds as the command line's options: a config cannot ask for what a flag may not.
    max_datasets: int | None = Field(default=None, ge=1)
    max_download_mb: float | None = Field(default=None, ge=0.001, le=1_000_000, allow_inf_nan=False)
    concurrency: int | None = Field(default=None, ge=1, le=64)
    timeout: float | None = Field(default=None, ge=0.1, le=3600, allow_inf_nan=False)
    retries: int | None = Field(default=None, ge=0, le=10)
    max_rate: float | None = Field(default=None, ge=0.01, le=10_000, allow_inf_nan=False)  # per second per host


class Owner(_Strict):
    """Who owns a department's datasets and where its digest goes."""

    emails: tuple[str, ...] = ()
    webhook: str | None = None

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            if not _EMAIL.match(address):
                raise ValueError(f"not an e-mail address: {address!r}")
        return value

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value


class Notify(_Strict):
    """How digests are sent. The SMTP password lives in the environment, never here."""

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    sender: str = "portal-auditor@localhost"
    retries: int = Field(default=3, ge=0, le=10)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("expected an e-mail address")
        return value


class Weights(_Strict):
    """Overrides of the rubric's dimension and check weights."""

    dimensions: dict[str, float] = Field(default_factory=dict)
    checks: dict[str, float] = Field(default_factory=dict)


class PortalFile(_Strict):
    """The YAML file as written."""

    url: str
    platform: str | None = None
    title: str = ""
    domain: str = ""
    app_token_env: str = ""
    schedule: Schedule = Field(default_factory=Schedule)
    limits: Limits = Field(default_factory=Limits)
    weights: Weights = Field(default_factory=Weights)
    thresholds: dict[str, dict[str, Any]] = Field(default_factory=dict)
    owners: dict[str, Owner] = Field(default_factory=dict)
    broken_after: int = Field(default=2, ge=1, le=30)
    notify: Notify = Field(default_factory=Notify)
    suites: list[Any] = Field(default_factory=list)
    #: Non-public networks, addresses or host[:port] that resources of this portal may live on.
    allow_addresses: list[str] = Field(default_factory=list)
    #: Language to read multilingual fields in (``de``, ``fr``...), before the portal's own.
    language: str = Field(default="", pattern=r"^([a-z]{2,3}([-_][A-Za-z]{2,4})?)?$")

    @field_validator("platform")
    @classmethod
    def _platform(cls, value: str | None) -> str | None:
        from auditor.platforms import platform_names

        known = platform_names()
        if value is not None and value not in known:
            raise ValueError(f"unknown platform {value!r} (known: {', '.join(known)})")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value.rstrip("/")

    @field_validator("owners", mode="before")
    @classmethod
    def _owner_forms(cls, value: Any) -> Any:
        # Short forms: "Parks: parks@city.gov" or "Parks: [a@city.gov, b@city.gov]".
        if not isinstance(value, dict):
            return value
        return {name: {"emails": [raw]} if isinstance(raw, str) else {"emails": raw} if isinstance(raw, list) else raw
                for name, raw in value.items()}

    @field_validator("allow_addresses")
    @classmethod
    def _allow(cls, value: list[str]) -> list[str]:
        from auditor.netguard import AllowList

        try:
            AllowList.parse(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("app_token_env")
    @classmethod
    def _token_env(cls, value: str) -> str:
        if value and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", value):
            raise ValueError("expected the NAME of an environment variable, not the token itself")
        return value


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def parse_portal_file(data: Any, path: Path) -> PortalFile:
    """Validate parsed YAML; ConfigError naming the file and the first bad key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return PortalFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        message = first.get("msg", "invalid value")
        if first.get("type") == "extra_forbidden":
            message = "unknown key"
        elif first.get("type") == "missing":
            message = "required"
        message = message.removeprefix("Value error, ")
        return _raise(path, _where(loc), message)


def _raise(path: Path, where: str, message: str) -> PortalFile:
    raise ConfigError(f"{path}: {where}: {message}" if where else f"{path}: {message}")
