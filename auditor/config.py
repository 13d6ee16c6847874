"""The rubric (dimension weights, check weights, thresholds, bands) and portal configs.

Both are YAML, loaded safely and validated on load: an unknown key or a bad value is a
ConfigError whose one-line message names the file and the key path.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError
from auditor.model import Dimension


def config_dir() -> Path:
    """Where the config lives: ``AUDITOR_CONFIG_DIR``, else the bundled package data
    (``auditor.defaults``, the repository's config/ folder), wherever pip put it."""
    env = os.environ.get("AUDITOR_CONFIG_DIR")
    candidates = [Path(env)] if env else []
    try:
        from importlib.resources import files

        candidates.append(Path(str(files("auditor.defaults"))))
    except (ModuleNotFoundError, TypeError):
        pass
    candidates.append(Path(__file__).resolve().parent.parent / "config")
    for path in candidates:
        if (path / "rubric.yaml").is_file():
            return path
    raise ConfigError("the bundled rubric.yaml was not found (reinstall, or set AUDITOR_CONFIG_DIR)")


@dataclass(frozen=True)
class Band:
    """A score band: grade letter, plain-words label and lower bound."""

    grade: str
    label: str
    min: float


@dataclass(frozen=True)
class Rubric:
    """Validated scoring rubric."""

    dimensions: Mapping[str, float]
    checks: Mapping[str, float] = field(default_factory=dict)
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    bands: tuple[Band, ...] = ()
    source: str = ""

    def band(self, score: float | None) -> Band | None:
        """The band a score falls in (None for an unscored subject)."""
        if score is None:
            return None
        for band in self.bands:
            if score >= band.min:
                return band
        return self.bands[-1] if self.bands else None

    def check_weight(self, check_id: str, default: float) -> float:
        """The weight of a check after overrides."""
        return float(self.checks.get(check_id, default))


def _load_yaml(path: Path) -> Any:
    from auditor.yamlsafe import load_yaml

    return load_yaml(path)


#: The largest weight or threshold a config may set: beyond it a value is a typo, not a choice.
MAX_NUMBER = 1e9


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0 \
            or value > MAX_NUMBER:
        raise ConfigError(f"{where}: expected a number from 0 to {MAX_NUMBER:g}, got {value!r}")
    return float(value)


def _threshold(check: Any, key: str, value: Any, where: str) -> float | int:
    """A threshold value checked against the type the check declares for it."""
    declared = getattr(check, "thresholds", None) if check is not None else None
    if declared is not None and key not in declared:
        known = ", ".join(sorted(declared)) or "none"
        raise ConfigError(f"{where}: unknown threshold {key!r} (this check has: {known})")
    kind = declared.get(key, float) if declared is not None else float
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{where}: expected a whole number, got {value!r}")
    number = _number(value, where)
    if key.endswith("_share") and number > 1:
        raise ConfigError(f"{where}: a share is from 0 to 1, got {value!r}")
    return int(number) if kind is int else number


def _thresholds(check_id: str, limits: Mapping[str, Any], where: str,
                known_checks: Mapping[str, Any] | None) -> dict[str, Any]:
    check = (known_checks or {}).get(check_id)
    return {key: _threshold(check, key, value, f"{where}.{key}") for key, value in limits.items()}


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def load_rubric(path: Path | None = None, known_checks: Mapping[str, Any] | None = None) -> Rubric:
    """Load the bundled rubric, with ``path`` merged over it when given."""
    base_path = config_dir() / "rubric.yaml"
    data = dict(_mapping(_load_yaml(base_path), str(base_path)))
    sources = [str(base_path)]
    if path is not None:
        override = _mapping(_load_yaml(path), str(path))
        _validate(override, str(path), known_checks, partial=True)
        for key, value in override.items():
            if isinstance(value, Mapping) and isinstance(data.get(key), Mapping):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        sources.append(str(path))
    return _validate(data, " + ".join(sources), known_checks, partial=False)


def _validate(data: Mapping[str, Any], name: str, known_checks: Mapping[str, Any] | None,
              *, partial: bool) -> Rubric:
    allowed = {"dimensions", "checks", "thresholds", "bands"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{name}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    dims = {}
    for key, value in _mapping(data.get("dimensions"), f"{name}: dimensions").items():
        if key not in {d.value for d in Dimension}:
            raise ConfigError(f"{name}: dimensions.{key}: unknown dimension")
        dims[key] = _number(value, f"{name}: dimensions.{key}")
    checks = {}
    for key, value in _mapping(data.get("checks"), f"{name}: checks").items():
        if known_checks is not None and key not in known_checks:
            raise ConfigError(f"{name}: checks.{key}: unknown check")
        checks[key] = _number(value, f"{name}: checks.{key}")
    thresholds: dict[str, Mapping[str, Any]] = {}
    for key, value in _mapping(data.get("thresholds"), f"{name}: thresholds").items():
        if known_checks is not None and key not in known_checks:
            raise ConfigError(f"{name}: thresholds.{key}: unknown check")
        thresholds[key] = _thresholds(key, _mapping(value, f"{name}: thresholds.{key}"), f"{name}: thresholds.{key}",
                                      known_checks)
    bands = []
    raw_bands = data.get("bands") or []
    if not isinstance(raw_bands, list):
        raise ConfigError(f"{name}: bands: expected a list")
    for i, item in enumerate(raw_bands):
        item = _mapping(item, f"{name}: bands[{i}]")
        try:
            bands.append(Band(str(item["grade"]), str(item["label"]),
                              _number(item["min"], f"{name}: bands[{i}].min")))
        except KeyError as exc:
            raise ConfigError(f"{name}: bands[{i}]: missing {exc.args[0]!r}") from None
    if not partial and not bands:
        raise ConfigError(f"{name}: bands: at least one band is required")
    bands.sort(key=lambda b: -b.min)
    return Rubric(dims, checks, thresholds, tuple(bands), name)


@dataclass(frozen=True)
class PortalConfig:
    """One portal to audit, from ``config/portals/<id>.yaml`` (validated by auditor.portals)."""

    id: str
    url: str
    platform: str | None = None
    title: str = ""
    domain: str = ""
    app_token_env: str = ""
    max_datasets: int | None = None
    max_download_mb: float | None = None
    concurrency: int | None = None
    max_rate: float | None = None
    timeout: float | None = None
    retries: int | None = None
    cron: str = "0 2 * * *"
    timezone: str = "UTC"
    owners: Mapping[str, Any] = field(default_factory=dict)  # department -> auditor.portals.Owner
    weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    broken_after: int = 2
    notify: Any = None  # auditor.portals.Notify
    suites: tuple[Any, ...] = ()  # raw YAML: inline suites or paths, parsed when content checks run
    allow_addresses: tuple[str, ...] = ()
    language: str = ""
    path: str = ""


def load_portal(path: Path) -> PortalConfig:
    """Load and validate one portal config file."""
    from auditor.portals import parse_portal_file

    spec = parse_portal_file(_load_yaml(path), path)
    return PortalConfig(
        id=path.stem,
        url=spec.url,
        platform=spec.platform,
        title=spec.title,
        domain=spec.domain,
        app_token_env=spec.app_token_env,
        max_datasets=spec.limits.max_datasets,
        max_download_mb=spec.limits.max_download_mb,
        concurrency=spec.limits.concurrency,
        max_rate=spec.limits.max_rate,
        timeout=spec.limits.timeout,
        retries=spec.limits.retries,
        cron=spec.schedule.cron,
        timezone=spec.schedule.timezone,
        owners=dict(sorted(spec.owners.items())),
        weights={"dimensions": dict(spec.weights.dimensions), "checks": dict(spec.weights.checks)},
        thresholds={k: dict(v) for k, v in spec.thresholds.items()},
        broken_after=spec.broken_after,
        notify=spec.notify,
        suites=tuple(spec.suites),
        allow_addresses=tuple(spec.allow_addresses),
        language=spec.language,
        path=str(path),
    )


def all_portals(directory: Path | None = None) -> list[PortalConfig]:
    """Every portal config in ``config/portals`` (or ``directory``), sorted by id; the first
    bad one is a ConfigError (``auditor config check``)."""
    good, bad = portals_and_problems(directory)
    if bad:
        raise ConfigError(bad[0])
    return good


def portals_and_problems(directory: Path | None = None) -> tuple[list[PortalConfig], list[str]]:
    """The portal configs that load, and one line for each that does not (a bad config must
    not stop the others' nights)."""
    folder = directory or config_dir() / "portals"
    good, bad = [], []
    for path in sorted(folder.glob("*.yaml")):
        try:
            if not path.is_file():
                raise ConfigError(f"{path}: not a file")
            good.append(load_portal(path))
        except ConfigError as exc:
            bad.append(str(exc))
        except (OSError, UnicodeDecodeError) as exc:
            bad.append(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}")
    return good, bad


def find_portal(name: str) -> PortalConfig | None:
    """A portal config by file path or by id under ``config/portals``; None if not one."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return load_portal(candidate)
    if "/" in name or ":" in name:
        return None
    path = config_dir() / "portals" / f"{name}.yaml"
    return load_portal(path) if path.is_file() else None


def apply_portal(rubric: Rubric, cfg: PortalConfig, known_checks: Mapping[str, Any] | None = None) -> Rubric:
    """The rubric with a portal config's weight and threshold overrides merged in."""
    dims = dict(rubric.dimensions)
    for key, value in cfg.weights.get("dimensions", {}).items():
        if key not in {d.value for d in Dimension}:
            raise ConfigError(f"{cfg.path}: weights.dimensions.{key}: unknown dimension")
        dims[key] = _number(value, f"{cfg.path}: weights.dimensions.{key}")
    checks = dict(rubric.checks)
    for key, weight in cfg.weights.get("checks", {}).items():
        if known_checks is not None and key not in known_checks:
            raise ConfigError(f"{cfg.path}: weights.checks.{key}: unknown check")
        checks[key] = _number(weight, f"{cfg.path}: weights.checks.{key}")
    thresholds: dict[str, dict[str, Any]] = {k: dict(v) for k, v in rubric.thresholds.items()}
    for key, limits in cfg.thresholds.items():
        if known_checks is not None and key not in known_checks:
            raise ConfigError(f"{cfg.path}: thresholds.{key}: unknown check")
        checked = _thresholds(key, _mapping(limits, f"{cfg.path}: thresholds.{key}"), f"{cfg.path}: thresholds.{key}",
                              known_checks)
        thresholds[key] = {**thresholds.get(key, {}), **checked}
    return Rubric(dims, checks, thresholds, rubric.bands, f"{rubric.source} + {cfg.path}")


def portal_suites(cfg: PortalConfig) -> list[Any]:
    """The expectation suites of a portal config: inline ones, and files relative to it."""
    from auditor.table.expectations import load_suite_file, parse_suites

    out: list[Any] = []
    base = Path(cfg.path).parent
    for i, item in enumerate(cfg.suites):
        if isinstance(item, str):
            target = (base / item) if not Path(item).is_absolute() else Path(item)
            if not target.is_file():
                raise ConfigError(f"{cfg.path}: suites[{i}]: no such file {item!r}")
            out.extend(load_suite_file(target))
        else:
            out.extend(parse_suites([item], cfg.path, f"suites[{i}]"))
    return out
