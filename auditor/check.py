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
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.errors import FetchError
from auditor.incremental import NotModified
from auditor.model import Dataset, Dimension, Finding, Resource, Scope, Status

if TYPE_CHECKING:
    # Only for types: the HTTP stack (httpx) loads when a check first fetches, so
    # `auditor --help` stays fast.
    from auditor.http import HttpClient
    from auditor.probe import Probe
    from auditor.table import TableAnalysis
    from auditor.table.fetch import TableCache


@dataclass
class CheckContext:
    """What a check may use besides its subject: the clock, thresholds and the network."""

    now: datetime
    http: HttpClient
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    platform: str = ""
    tables: TableCache | None = None  # None: content checks are off for this run
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
        from auditor.probe import probe

        result = probe(self.http, resource.url, sniff=sniff)
        with self._lock:
            self._probes[(resource.url, sniff)] = result
        return result


    def release(self, dataset: Dataset) -> None:
        """Forget what was cached for a dataset whose checks are done (memory stays flat)."""
        from auditor.formats import capabilities_url

        with self._lock:
            for resource in dataset.resources:
                for url in {resource.url, capabilities_url(resource.url, resource.format)}:
                    self._probes.pop((url, True), None)
                    self._probes.pop((url, False), None)
        if self.tables is not None:
            self.tables.release(dataset)

    def table(self, resource: Resource, dataset: Dataset) -> TableAnalysis | FetchError | NotModified | None:
        """The shared analysis of a tabular resource; None when it is not read; NotModified when
        the server says the file is the one the previous run judged."""
        from auditor.table.fetch import is_tabular

        if self.tables is None or not (is_tabular(resource) or self.tables.knows(resource)):
            return None
        return self.tables.get(resource, dataset)


class Check:
    """Common metadata and finding helpers."""

    id: ClassVar[str] = ""
    scope: ClassVar[Scope]
    dimension: ClassVar[Dimension]
    weight: ClassVar[float] = 1.0
    title: ClassVar[str] = ""
    fix: ClassVar[str] = ""
    # How bad a FAIL is for ``auditor validate --fail-on``: "error" makes the file unfit for
    # use, "warning" makes it harder to use. An ERROR finding always counts as "error".
    severity: ClassVar[str] = "warning"
    #: The resident's question this check answers on the site (auditor.questions), "" for none.
    question: ClassVar[str] = ""
    #: The thresholds a rubric or portal config may set for this check, and their types;
    #: anything else is a config error, found by ``auditor config check``.
    thresholds: ClassVar[dict[str, type]] = {}

    @classmethod
    def advice(cls, finding: Finding) -> str:
        """How to fix this finding: the check's ``fix``, unless the check knows a better one for
        the cause the finding names (a 404 is not a firewall challenge)."""
        return cls.fix

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


class TableCheck(ResourceCheck):
    """A check on what is inside a tabular file; the file is read once for all of them.

    Subclasses implement :meth:`judge`. A file that could not be downloaded, or that is not
    a table at all, is skipped here and reported once by ``resource.table-valid``.
    """

    def run(self, resource: Resource, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Fetch the shared analysis, then judge it."""
        got = ctx.table(resource, dataset)
        if isinstance(got, NotModified):
            previous = ctx.tables.previous if ctx.tables is not None else None
            if previous is not None:
                yield from previous.reuse_file(dataset.id, resource.id, self.id)
        elif got is None:
            reason = "content checks are off" if ctx.tables is None else "not a tabular file"
            yield self.skipped(dataset, reason, resource=resource)
        elif isinstance(got, FetchError):
            yield from self.unavailable(resource, dataset, got)
        elif got.problem:
            yield from self.not_a_table(resource, dataset, got)
        else:
            yield from self.judge(got, resource, dataset, ctx)

    def unavailable(self, resource: Resource, dataset: Dataset, error: FetchError) -> Iterator[Finding]:
        """The file could not be downloaded."""
        yield self.skipped(dataset, f"file not downloaded: {error}", resource=resource)

    def not_a_table(self, resource: Resource, dataset: Dataset, table: TableAnalysis) -> Iterator[Finding]:
        """The file is not a readable table."""
        yield self.skipped(dataset, f"not a readable table: {table.problem}", resource=resource)

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Yield findings from the analysis."""
        raise NotImplementedError
