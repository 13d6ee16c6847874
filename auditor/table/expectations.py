"""Expectation suites a data officer writes in YAML, run with Great Expectations 1.x.

A suite file lists Great Expectations expectations by their documented snake_case names,
with their documented arguments, and says which datasets or files it applies to::

    suites:
      - name: taxi fares
        match: {dataset: ["2yzn-*"], name: ["*taxi*"]}
        expectations:
          - expect_column_values_to_be_between: {column: fare_amount, min_value: 0, max_value: 500}
          - expect_column_values_to_not_be_null: {column: vendor_id, mostly: 0.99}

Names and arguments are checked when the file is loaded (by building the GX expectation
objects), so a typo is a one-line error naming the file and the key, not a failed audit.

Great Expectations is imported only when a suite is loaded or run, and one ephemeral
context serves the whole process: its set-up, not its per-dataset run, is the slow part.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

MATCH_KEYS = ("dataset", "name", "file")
PARTIAL = 5


@dataclass(frozen=True)
class Expectation:
    """One expectation: its GX name, arguments, and where it was written."""

    type: str
    kwargs: Mapping[str, Any]
    where: str


@dataclass(frozen=True)
class Suite:
    """A named list of expectations and the datasets or files it applies to."""

    name: str
    source: str
    expectations: tuple[Expectation, ...]
    match: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def applies(self, keys: Mapping[str, Sequence[str]]) -> bool:
        """True when any pattern matches; a suite with no ``match`` applies everywhere."""
        if not any(self.match.values()):
            return True
        for kind, patterns in self.match.items():
            for value in keys.get(kind, ()):
                if any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns):
                    return True
        return False


def camel(name: str) -> str:
    """``expect_column_values_to_be_between`` -> ``ExpectColumnValuesToBeBetween``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _gx() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with warnings.catch_warnings():
        # GX imports modules the standard library deprecates; that is not ours to fix.
        warnings.simplefilter("ignore")
        import great_expectations as gx
    return gx


def _one_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ()))
            return f"{loc}: {first.get('msg', '')}" if loc else str(first.get("msg", ""))
        except Exception:  # noqa: BLE001 - fall back to the text
            pass
    return str(exc).splitlines()[0][:200]


def build(expectation: Expectation) -> Any:
    """The GX expectation object; ConfigError naming the file and key when it is wrong."""
    gx = _gx()
    cls = getattr(gx.expectations, camel(expectation.type), None)
    if cls is None or not expectation.type.startswith("expect_"):
        known = sorted(n for n in dir(gx.expectations) if n.startswith("Expect"))
        snake = [re.sub(r"(?<!^)([A-Z])", r"_\1", n).lower() for n in known]
        close = difflib.get_close_matches(expectation.type, snake, n=2, cutoff=0.8)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise ConfigError(f"{expectation.where}: unknown expectation {expectation.type!r}{hint}")
    try:
        return cls(**dict(expectation.kwargs))
    except Exception as exc:  # noqa: BLE001 - pydantic and GX raise several kinds
        raise ConfigError(f"{expectation.where}: {expectation.type}: {_one_line(exc)}") from None


def parse_suites(data: Any, source: str, where: str = "") -> list[Suite]:
    """Suites from parsed YAML (a file, or the ``suites`` key of a portal config)."""
    prefix = f"{source}: {where}" if where else f"{source}: "
    if isinstance(data, Mapping) and "suites" in data:
        extra = set(data) - {"suites"}
        if extra:
            raise ConfigError(f"{prefix}{sorted(extra)[0]}: unknown key (expected 'suites')")
        data = data["suites"]
        where = f"{where}suites"
    elif isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise ConfigError(f"{prefix.rstrip(': ')}: expected a list of suites")
    suites = []
    for i, item in enumerate(data):
        key = f"{where}[{i}]" if where else f"suites[{i}]"
        suites.append(_parse_suite(item, source, key))
    return suites


def _parse_suite(item: Any, source: str, key: str) -> Suite:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{source}: {key}: expected a mapping with name, match and expectations")
    unknown = set(item) - {"name", "match", "expectations", "description"}
    if unknown:
        raise ConfigError(f"{source}: {key}.{sorted(unknown)[0]}: unknown key")
    match_raw = item.get("match") or {}
    if not isinstance(match_raw, Mapping):
        raise ConfigError(f"{source}: {key}.match: expected a mapping of {', '.join(MATCH_KEYS)}")
    match: dict[str, tuple[str, ...]] = {}
    for kind, patterns in match_raw.items():
        if kind not in MATCH_KEYS:
            raise ConfigError(f"{source}: {key}.match.{kind}: unknown key (use {', '.join(MATCH_KEYS)})")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{source}: {key}.match.{kind}: expected a pattern or a list of patterns")
        match[kind] = tuple(patterns)
    raw = item.get("expectations")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}: {key}.expectations: expected a non-empty list")
    expectations = []
    for j, entry in enumerate(raw):
        where = f"{source}: {key}.expectations[{j}]"
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise ConfigError(f"{where}: expected one 'expect_...: {{arguments}}' entry")
        (name, kwargs), = entry.items()
        kwargs = kwargs or {}
        if not isinstance(kwargs, Mapping):
            raise ConfigError(f"{where}.{name}: arguments must be a mapping")
        expectation = Expectation(str(name), dict(kwargs), where)
        build(expectation)
        expectations.append(expectation)
    name = str(item.get("name") or f"{Path(source).stem}[{key}]")
    return Suite(name=name, source=source, expectations=tuple(expectations), match=match)


def load_suite_file(path: Path) -> list[Suite]:
    """Suites from a YAML file; ConfigError with a one-line message when it is wrong."""
    from auditor.yamlsafe import load_yaml

    data = load_yaml(path)
    if data is None:
        raise ConfigError(f"{path}: the file is empty")
    return parse_suites(data, str(path))


def load_suites(paths: Sequence[Path]) -> list[Suite]:
    """Suites from files and folders (every ``*.yaml`` / ``*.yml`` inside, sorted)."""
    suites: list[Suite] = []
    for path in paths:
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
        for file in files:
            suites.extend(load_suite_file(file))
    return suites


# -- running ----------------------------------------------------------------------------

class _Runner:
    """One GX context, data source and batch definition for the whole process."""

    def __init__(self) -> None:
        gx = _gx()
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self.gx = gx
        # Everything in memory: no data-docs site in a temporary folder left behind.
        config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("auditor")
        self.batch_definition = source.add_dataframe_asset(name="table").add_batch_definition_whole_dataframe("all")
        self.suites: dict[tuple[str, str, str], Any] = {}

    def suite(self, suite: Suite) -> Any:
        import json

        spec = json.dumps([[e.type, dict(e.kwargs)] for e in suite.expectations], sort_keys=True, default=str)
        key = (suite.source, suite.name, spec)
        if key not in self.suites:
            gx_suite = self.gx.ExpectationSuite(name=f"{suite.name}")
            for expectation in suite.expectations:
                gx_suite.add_expectation(build(expectation))
            self.suites[key] = gx_suite
        return self.suites[key]

    def validate(self, suite: Suite, frame: Any) -> Any:
        batch = self.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return batch.validate(self.suite(suite))


_runner: _Runner | None = None
_create_lock = threading.Lock()
_run_lock = threading.Lock()  # GX contexts are not thread-safe


def runner() -> _Runner:
    """The process-wide GX runner, created on first use."""
    global _runner
    with _create_lock:
        if _runner is None:
            _runner = _Runner()
        return _runner


def frame(table: Any) -> Any:
    """A pandas frame GX can judge: empty cells are nulls, all-numeric columns are numbers."""
    import pandas as pd

    data: dict[str, Any] = {}
    for name in table.column_names:
        values = pd.Series(table.column(name).to_pylist(), dtype=object)
        values = values.where(values.str.strip() != "", None)
        numbers = pd.to_numeric(values, errors="coerce")
        if values.notna().any() and numbers.notna().sum() == values.notna().sum():
            data[name] = numbers
        else:
            data[name] = values
    return pd.DataFrame(data)


def run_suites(suites: Sequence[Suite], sample: Any, keys: Mapping[str, Sequence[str]], total_rows: int
               ) -> list[dict[str, Any]]:
    """Run each applicable suite over the sample; one JSON-safe outcome per suite."""
    chosen = [s for s in suites if s.applies(keys)]
    if not chosen or sample.table is None:
        return []
    df = frame(sample.table)
    outcomes = []
    for suite in chosen:
        outcome: dict[str, Any] = {"suite": suite.name, "source": suite.source, "rows_checked": len(df),
                                   "of_rows": total_rows, "sampled": len(df) < total_rows}
        try:
            gx_runner = runner()
            with _run_lock:
                result = gx_runner.validate(suite, df)
        except Exception as exc:  # noqa: BLE001 - GX raising must not stop the audit
            outcome.update(success=False, error=f"{type(exc).__name__}: {_one_line(exc)}", results=[])
            outcomes.append(outcome)
            continue
        outcome["results"] = [_result(r) for r in result.results]
        outcome["success"] = all(r["success"] for r in outcome["results"])
        outcomes.append(outcome)
    return outcomes


def _result(r: Any) -> dict[str, Any]:
    config = r.expectation_config
    kwargs = {k: v for k, v in dict(config.kwargs).items() if k not in ("batch_id",)}
    out: dict[str, Any] = {"expectation": config.type, "kwargs": _plain(kwargs), "success": bool(r.success)}
    res = r.result or {}
    for key in ("element_count", "unexpected_count", "unexpected_percent", "missing_count", "observed_value"):
        if key in res and res[key] is not None:
            out[key] = _plain(res[key])
    if res.get("partial_unexpected_list"):
        out["partial_unexpected_list"] = _plain(res["partial_unexpected_list"][:PARTIAL])
    message = _exception_message(r.exception_info)
    if message is not None:
        out["error"] = message
        out["success"] = False
    return out


def _exception_message(info: Any) -> str | None:
    """GX reports a failure to compute as ``exception_info``, flat or keyed by metric."""
    if not isinstance(info, Mapping):
        return None
    if info.get("raised_exception"):
        text = str(info.get("exception_message") or "the expectation could not be computed")
        return text.splitlines()[0][:200] if text else "the expectation could not be computed"
    for value in info.values():
        found = _exception_message(value)
        if found is not None:
            return found
    return None


def _plain(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN to None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
