"""How much of a file to read and what to look for: the content checks' options."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.settings import DEFAULTS
from auditor.table.scan import ScanOptions


@dataclass(frozen=True)
class ContentOptions:
    """How much to read and what to look for."""

    max_download_mb: float = DEFAULTS.max_download_mb
    sample_rows: int = DEFAULTS.sample_rows
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    now: float | None = None  # epoch seconds; the audit clock, for "future" dates
    suites: Sequence[Any] = ()  # expectation suites (auditor.table.expectations.Suite)
    keep_sample: bool = False  # keep the evenly spaced sample even without suites
    parallel: int = 2  # files analysed at once in an audit: CPU-bound, and each holds its own memory

    def scan_options(self) -> ScanOptions:
        """Bounds for the parsing pass."""
        return ScanOptions(sample_rows=self.sample_rows)
