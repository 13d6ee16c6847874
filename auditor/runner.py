"""One audit: read the catalogue, complete and check every dataset, score, sort.

``audit_portal`` is the single entry point used by the CLI (and later by the scheduler).
Nothing in here aborts on a dataset's trouble: a crash in a check becomes an ERROR
finding naming the check, and a dataset whose record cannot be read is still scored on
what the catalogue said about it.
"""

from __future__ import annotations

import hashlib
import heapq
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from auditor.check import Check, CheckContext, DatasetCheck, ResourceCheck
from auditor.config import Rubric
from auditor.http import HttpClient
from auditor.model import Dataset, Finding, Portal, Score
from auditor.reading import read_dataset
from auditor.result import AuditResult, DatasetResult

__all__ = ["AuditOptions", "AuditResult", "DatasetResult", "audit_portal", "rescore", "run_checks"]
from auditor.scoring import aggregate, score_findings
from auditor.sources import Source, SourceOptions, detect_platform, get_source
from auditor.table.analyse import ContentOptions
from auditor.table.fetch import TableCache

if TYPE_CHECKING:
    from auditor.incremental import Previous


@dataclass(frozen=True)
class AuditOptions:
    """What to audit and how hard."""

    platform: str | None = None
    max_datasets: int | None = None
    workers: int = 8
    source: SourceOptions = field(default_factory=SourceOptions)
    content: ContentOptions | None = field(default_factory=ContentOptions)  # None: skip file contents
    previous: Previous | None = None  # last run's content findings, for an incremental audit


ProgressFn = Callable[[int, int | None], None]


def sample_key(dataset_id: str) -> str:
    """A stable pseudo-random key: the same datasets are sampled night after night."""
    return hashlib.sha256(dataset_id.encode()).hexdigest()


def _sample(entries: Iterable[Dataset], n: int) -> tuple[list[Dataset], int]:
    """The ``n`` entries with the smallest sample key, in O(n) memory, and the total seen."""
    heap: list[tuple[str, int, Dataset]] = []
    total = 0
    for i, dataset in enumerate(entries):
        total += 1
        # A max-heap on the key (negated by inverting the hex digits) keeps the n smallest.
        item = (_invert(sample_key(dataset.id)), i, dataset)
        if len(heap) < n:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:
            heapq.heapreplace(heap, item)
    return sorted((d for _, _, d in heap), key=lambda d: d.id), total


def _invert(hexdigest: str) -> str:
    return hexdigest.translate(str.maketrans("0123456789abcdef", "fedcba9876543210"))


def run_checks(
    dataset: Dataset, checks: Sequence[type[Check]], ctx: CheckContext, rubric: Rubric,
    previous: Previous | None = None,
) -> list[Finding]:
    """Run every selected check on a dataset and its resources; crashes become ERRORs.

    With ``previous``, a content check whose dataset's change markers did not move since
    that run keeps its findings instead of reading the files again.
    """
    from auditor.check import TableCheck
    from auditor.incremental import content_marker

    findings: list[Finding] = []
    marker = content_marker(dataset) if previous is not None else None
    for cls in checks:
        if previous is not None and issubclass(cls, TableCheck):
            kept = previous.reuse(dataset, marker, cls.id)
            if kept is not None:
                findings.extend(replace(f, weight=rubric.check_weight(cls.id, cls.weight)) for f in kept)
                continue
        check = cls()
        subjects = [None] if isinstance(check, DatasetCheck) else list(dataset.resources)
        for resource in subjects:
            try:
                if isinstance(check, DatasetCheck):
                    produced = list(check.run(dataset, ctx))
                elif isinstance(check, ResourceCheck) and resource is not None:
                    produced = list(check.run(resource, dataset, ctx))
                else:
                    produced = []
            except Exception as exc:  # noqa: BLE001 - a broken check must not stop the audit
                tb = traceback.extract_tb(exc.__traceback__)
                where = f"{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
                produced = [check.errored(dataset, f"check crashed: {type(exc).__name__}: {exc}",
                                          resource=resource, where=where)]
            weight = rubric.check_weight(cls.id, cls.weight)
            findings.extend(replace(f, weight=weight) for f in produced)
    findings.sort(key=Finding.sort_key)
    return findings


def audit_portal(
    url: str,
    http: HttpClient,
    rubric: Rubric,
    checks: Sequence[type[Check]],
    options: AuditOptions | None = None,
    *,
    progress: ProgressFn | None = None,
    now: datetime | None = None,
) -> AuditResult:
    """Audit one portal end to end. Raises SourceError only when the catalogue is unreadable."""
    options = options or AuditOptions()
    started = datetime.now(UTC)
    platform = options.platform or detect_platform(url, http)
    source = get_source(platform)(url, http, options.source)
    portal = source.portal()
    clock = now or started
    tables = None
    if options.content is not None:
        content = replace(options.content, thresholds={**rubric.thresholds, **options.content.thresholds},
                          now=clock.timestamp())
        tables = TableCache(http, content, previous=options.previous)
    ctx = CheckContext(now=clock, http=http, thresholds=rubric.thresholds, platform=platform, tables=tables)
    try:
        return _audit(url, http, rubric, checks, options, progress, source, portal, ctx, started)
    finally:
        if tables is not None:
            tables.close()


def _audit(
    url: str,
    http: HttpClient,
    rubric: Rubric,
    checks: Sequence[type[Check]],
    options: AuditOptions,
    progress: ProgressFn | None,
    source: Source,
    portal: Portal,
    ctx: CheckContext,
    started: datetime,
) -> AuditResult:
    entries: Iterable[Dataset] = source.iter_entries()
    sampled = False
    if options.max_datasets is not None:
        chosen, seen = _sample(entries, options.max_datasets)
        sampled = seen > len(chosen)
        entries = chosen
        total: int | None = len(chosen)
    else:
        total = None
    results = list(_audit_all(entries, source, checks, ctx, rubric, options.workers,
                              progress, lambda: total if total is not None else source.expected_total,
                              options.previous))
    results.sort(key=lambda r: r.dataset.id)
    departments = department_scores(results, rubric)
    return AuditResult(
        portal=portal,
        started=started,
        finished=datetime.now(UTC),
        datasets=results,
        score=aggregate([r.score for r in results], rubric),
        departments=departments,
        catalogue_size=source.expected_total,
        sampled=sampled,
        notes=list(source.notes),
        requests=http.requests,
        incomplete=source.incomplete,
    )


def _audit_all(
    entries: Iterable[Dataset],
    source: Source,
    checks: Sequence[type[Check]],
    ctx: CheckContext,
    rubric: Rubric,
    workers: int,
    progress: ProgressFn | None,
    total: Callable[[], int | None],
    previous: Previous | None = None,
) -> Iterator[DatasetResult]:
    """Complete and check datasets in a bounded pool, streaming the catalogue through it."""

    def one(entry: Dataset) -> DatasetResult:
        completion = source.complete(entry)
        dataset = completion.dataset
        if completion.problem is not None:
            problem = {"message": str(completion.problem), "kind": completion.problem.kind,
                       "status": completion.problem.status}
            dataset = replace(dataset, raw={**dataset.raw, "fetch_error": problem})
        findings = run_checks(dataset, checks, ctx, rubric, previous)
        ctx.release(dataset)
        return DatasetResult(slim(dataset), findings, score_findings(findings, rubric), read_dataset(dataset))

    done = 0
    # At most a few pages' worth of datasets in flight keeps memory flat on big catalogues.
    limit = max(1, workers) * 4
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="audit")
    try:
        pending: set[Future[DatasetResult]] = set()
        for entry in entries:
            pending.add(pool.submit(one, entry))
            if len(pending) >= limit:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    done += 1
                    if progress:
                        progress(done, total())
                    yield fut.result()
        for fut in pending:
            yield fut.result()
            done += 1
            if progress:
                progress(done, total())
    except BaseException:
        # Ctrl-C, or a consumer that stopped: datasets not started never start, and nobody
        # waits here for the downloads in flight.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def slim(dataset: Dataset) -> Dataset:
    """The dataset without the platform JSON it was mapped from: checks are done with it, and
    on a catalogue of 10,000 datasets it would be most of the audit's memory."""
    return replace(dataset, raw={}, resources=tuple(replace(r, raw={}) for r in dataset.resources))


def department_scores(results: Sequence[DatasetResult], rubric: Rubric) -> dict[str, Score]:
    """Each department's score: the mean of its datasets'."""
    by_dept: dict[str, list[Score]] = defaultdict(list)
    for r in results:
        by_dept[r.dataset.organization or "(no department)"].append(r.score)
    return {name: aggregate(scores, rubric) for name, scores in sorted(by_dept.items())}


def rescore(result: AuditResult, findings: Callable[[DatasetResult], list[Finding]], rubric: Rubric) -> AuditResult:
    """The result with each dataset's findings replaced and every score recomputed."""
    datasets = []
    for r in result.datasets:
        new = sorted(findings(r), key=Finding.sort_key)
        datasets.append(DatasetResult(r.dataset, new, score_findings(new, rubric), r.read))
    return replace(result, datasets=datasets, score=aggregate([r.score for r in datasets], rubric),
                   departments=department_scores(datasets, rubric))
