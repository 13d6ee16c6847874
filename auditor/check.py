"""Base classes for checks, and the context a check runs in.

A check is a small class: a stable ``id``, a ``dimension``, a default ``weight``, a
docstring that says why it matters to a resident, a ``fix`` line for the data officer,
and a ``run`` method that yields findings. Helpers fill in the bookkeeping.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from auditor.http import HttpClient
from auditor.model import Dataset, Dimension, Finding, Resource, Scope, Status
from auditor.probe import Probe, probe


@dataclass
class CheckContext:
    """What a check may use besides its subject: the clock, thresholds and the network."""

    now: datetime
    http: HttpClient
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    platform: str = ""
    _probes: dict[tuple[str, bool], Probe] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def threshold(self, check_id: str, key: str, default: Any) -> Any:
        """A rubric threshold for a check, or ``default``."""
        return self.thresholds.get(check_id, {}).get(key, default)

    def probe(self, resource: Resource, *, sniff: bool = True) -> Probe:
        """Probe a resource URL once per run; later calls reuse the answer.

        A sniffing probe also answers a reachability question, so it is reused for both.
        """
        key_sniff = (resource.url, True)
        with self._lock:
            cached = self._probes.get(key_sniff) or (
                None if sniff else self._probes.get((resource.url, False))
            )
        if cached is not None:
            return cached
        result = probe(self.http, resource.url, sniff=sniff)
        with self._lock:
            self._probes[(resource.url, sniff)] = result
        return result


class Check:
    """Common metadata and finding helpers."""

    id: ClassVar[str] = ""
    scope: ClassVar[Scope]
    dimension: ClassVar[Dimension]
    weight: ClassVar[float] = 1.0
    title: ClassVar[str] = ""
    fix: ClassVar[str] = ""

    def _finding(
        self,
        status: Status,
        dataset: Dataset,
        resource: Resource | None,
        message: str,
        value: float | None,
        details: dict[str, Any],
    ) -> Finding:
        return Finding(
            check=self.id,
            dimension=self.dimension,
            weight=self.weight,
            status=status,
            dataset_id=dataset.id,
            resource_id=resource.id if resource else None,
            message=message,
            value=value,
            details=details,
        )

    def passed(
        self, dataset: Dataset, message: str, *, resource: Resource | None = None,
        value: float = 1.0, **details: Any,
    ) -> Finding:
        """A PASS finding; ``value`` below 1 records a partial pass."""
        return self._finding(Status.PASS, dataset, resource, message, value, details)

    def failed(
        self, dataset: Dataset, message: str, *, resource: Resource | None = None,
        value: float = 0.0, **details: Any,
    ) -> Finding:
        """A FAIL finding; ``value`` above 0 records partial credit."""
        return self._finding(Status.FAIL, dataset, resource, message, value, details)

    def errored(
        self, dataset: Dataset, message: str, *, resource: Resource | None = None, **details: Any
    ) -> Finding:
        """An ERROR finding: the check could not judge the subject."""
        return self._finding(Status.ERROR, dataset, resource, message, None, details)

    def skipped(
        self, dataset: Dataset, message: str, *, resource: Resource | None = None, **details: Any
    ) -> Finding:
        """A SKIP finding: the check does not apply."""
        return self._finding(Status.SKIP, dataset, resource, message, None, details)


class DatasetCheck(Check):
    """A check that judges a dataset's metadata."""

    scope = Scope.DATASET

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Yield findings for ``dataset``."""
        raise NotImplementedError


class ResourceCheck(Check):
    """A check that judges one resource of a dataset."""

    scope = Scope.RESOURCE

    def run(self, resource: Resource, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Yield findings for ``resource``."""
        raise NotImplementedError
