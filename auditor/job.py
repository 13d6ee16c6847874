"""One audit, as an ordered pipeline: the single path ``auditor audit`` and ``auditor schedule``
both take.

    settings -> prepare (checks, rubric, store, last run's file findings)
             -> audit (catalogue, datasets, checks, scores)
             -> link history (a link counts as broken after ``broken_after`` failing runs)
             -> report (the ``auditor-report/1`` document)
             -> record (the run in the history store) -> changes (since the previous run)
             -> digests (nightly only: one per department with changes, plus any undelivered before)

Each stage degrades rather than dies where it can: a store that fails after the audit keeps
the report and says so in ``warnings``; only an unreadable catalogue ends the job.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from auditor.config import PortalConfig, Rubric
from auditor.settings import AuditSettings
from auditor.timeutil import iso

log = logging.getLogger("auditor.job")
ProgressFn = Callable[[int, int | None], None]


@dataclass
class Job:
    """A prepared audit: the settings, the checks and rubric, and where the run is kept."""

    settings: AuditSettings
    checks: list[Any]
    rubric: Rubric
    config: PortalConfig | None = None
    db_url: str | None = None
    suites: tuple[Any, ...] = ()
    store: Any = None
    run_id: int | None = None
    previous: Any = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What the job produced."""

    result: Any  # auditor.result.AuditResult
    doc: dict[str, Any]
    run_id: int | None = None
    changes: Any = None  # auditor.store.diff.Changes, when the run was recorded
    digests: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def prepare(settings: AuditSettings, config: PortalConfig | None = None, db_url: str | None = None) -> Job:
    """Checks, rubric and suites for the settings; raises ConfigError / RegistryError."""
    from auditor import registry
    from auditor.config import apply_portal, load_rubric, portal_suites
    from auditor.table.expectations import load_suites

    checks = registry.select(settings.selected, settings.ignore)
    known = {c.id: c for c in registry.all_checks()}
    rubric = load_rubric(settings.rubric, known)
    if config is not None:
        rubric = apply_portal(rubric, config, known)
    suites: tuple[Any, ...] = ()
    if settings.content:
        from_config = portal_suites(config) if config is not None else []
        suites = (*from_config, *(load_suites(list(settings.suites)) if settings.suites else []))
    job = Job(settings, checks, rubric, config, db_url, suites)
    if config is not None and config.app_token_env and not os.environ.get(config.app_token_env):
        job.warnings.append(f"{config.app_token_env} (the app token variable {config.path or config.id} names) is not "
                            "set: auditing without an app token, at the portal's lower rate limits")
    return job


def last_content(store: Any, portal: str, checks: Sequence[Any]) -> Any:
    """What the last complete run of ``portal`` read from files, for an incremental audit."""
    from auditor.check import TableCheck
    from auditor.incremental import previous_content

    runs = store.runs(portal, limit=1)
    if not runs:
        return None
    return previous_content(store.report(runs[0].id), {c.id for c in checks if issubclass(c, TableCheck)})


def open_run(job: Job) -> Job:
    """Open the history store, start the run, and read what the last run found in files
    (for an incremental audit). Raises StoreError."""
    if not job.db_url:
        return job
    from auditor.store import Store

    store = Store(job.db_url)
    previous = None
    if job.settings.content and not job.settings.full:
        previous = last_content(store, job.settings.portal_id, job.checks)
    return replace(job, store=store, run_id=store.start(job.settings.portal_id, job.settings.url), previous=previous)


def run(job: Job, progress: ProgressFn | None = None, *, digests: bool = False, dry_run: bool = False,
        echo: Callable[[str], None] | None = None) -> Outcome:
    """Audit, apply link history, build the report, record the run, compare, send digests.

    Raises AuditorError when the catalogue cannot be read (the run is then marked failed) and
    re-raises anything else after marking the run interrupted.
    """
    from auditor.errors import AuditorError
    from auditor.http import HttpClient
    from auditor.report import report_dict
    from auditor.runner import audit_portal

    settings = job.settings
    try:
        with HttpClient(http_settings(settings)) as http:
            result = audit_portal(settings.url, http, job.rubric, job.checks, audit_options(job),
                                  progress=progress, now=settings.as_of.replace(tzinfo=UTC) if settings.as_of else None)
    except AuditorError:
        if job.store is not None and job.run_id is not None:
            job.store.abandon(job.run_id)
        raise
    except BaseException:
        if job.store is not None and job.run_id is not None:
            job.store.abandon(job.run_id, "interrupted")
        raise
    if settings.title:
        result = replace(result, portal=replace(result.portal, title=settings.title))
    warnings: list[str] = list(job.warnings)
    if job.store is not None:
        result = _link_history(job, result, warnings)
    doc = report_dict(result)
    outcome = Outcome(result, doc, job.run_id, warnings=warnings)
    if job.store is not None and job.run_id is not None:
        outcome.changes = _record(job, doc, warnings)
    if digests and job.config is not None and outcome.changes is not None:
        outcome.digests = send_digests(job.config, outcome.changes, {c.id: c.fix for c in job.checks}, dry_run, echo,
                                       job.store)
    return outcome


def http_settings(settings: AuditSettings) -> Any:
    """The HTTP layer's settings for an audit."""
    from auditor.http import settings_for

    return settings_for(settings.url, timeout=settings.timeout, per_host=settings.concurrency,
                        retries=settings.retries, max_rate=settings.max_rate, app_token=settings.app_token,
                        allow_hosts=settings.allow_hosts, allow_addresses=settings.allow_addresses)


def audit_options(job: Job) -> Any:
    """The runner's options for a prepared job."""
    from auditor.runner import AuditOptions
    from auditor.sources import SourceOptions
    from auditor.table import ContentOptions

    settings = job.settings
    content = ContentOptions(max_download_mb=settings.max_download_mb, sample_rows=settings.sample_rows,
                             suites=job.suites) if settings.content else None
    return AuditOptions(platform=settings.platform, max_datasets=settings.max_datasets, workers=settings.workers,
                        source=SourceOptions(domain=settings.domain, languages=settings.languages),
                        content=content, previous=job.previous)


def _link_history(job: Job, result: Any, warnings: list[str]) -> Any:
    from auditor.store import StoreError
    from auditor.streaks import with_link_history

    try:
        return with_link_history(job.store, job.settings.portal_id, result, job.settings.broken_after, job.rubric)
    except StoreError as exc:
        warnings.append(f"link history unavailable: {exc}")
        return result


def _record(job: Job, doc: dict[str, Any], warnings: list[str]) -> Any:
    from auditor.store import StoreError

    assert job.store is not None and job.run_id is not None
    try:
        job.store.finish(job.run_id, doc)
        return job.store.changes(job.store.resolve(str(job.run_id)), doc)
    except StoreError as exc:
        # The report is already built: say what failed, lose nothing else.
        warnings.append(f"run not stored: {exc}")
        return None


def send_digests(cfg: PortalConfig, changes: Any, fixes: dict[str, str], dry_run: bool,
                 echo: Callable[[str], None] | None, store: Any = None) -> list[str]:
    """One digest per department with changes, by e-mail and/or webhook; a line per digest.

    At least once: a digest that could not be delivered is kept in the store and its changes
    go out with the department's next digest, on that channel, even on a night with no news.
    """
    from auditor.digest import build_digests, owner_digest

    if changes.before is None:
        return []  # a first run has no "since last night"
    portal = cfg.title or cfg.id
    digests = {d.department: d for d in build_digests(changes, portal, cfg.owners, fixes)}
    pending = _pending(store, cfg.id) if not dry_run else {}
    for department, _ in sorted(pending):
        if department not in digests:
            digest = owner_digest(department, portal, cfg.owners, fixes)
            if digest is not None:
                digests[department] = digest
    missed = _missed(store, cfg.id, str((changes.before.get("run") or {}).get("started") or ""))
    digests = {department: replace(d, missed=missed) for department, d in digests.items()}
    lines = []
    for department, digest in sorted(digests.items()):
        if dry_run:
            text = f"--- digest for {digest.department} -> {', '.join(digest.emails) or digest.webhook}\n" \
                   f"Subject: {digest.subject}\n\n{digest.text()}"
            (echo or print)(text)
            lines.append(f"{digest.department}: printed (dry run)")
            continue
        for channel in digest.channels:
            lines.append(_deliver(cfg, store, digest.by(channel), channel, pending.get((department, channel))))
    return lines


def _missed(store: Any, portal: str, since: str) -> tuple[str, ...]:
    """Runs of ``portal`` after ``since`` that failed or were interrupted: a digest says so,
    so a department knows a quiet week may be a broken audit, not a clean portal."""
    from auditor.store import StoreError

    if store is None:
        return ()
    try:
        runs = store.runs(portal, complete_only=False, limit=100)
    except StoreError:
        return ()
    return tuple(f"{r.started} ({r.status})" for r in sorted(runs, key=lambda r: r.started)
                 if r.status in ("failed", "interrupted") and r.started > since)


def _pending(store: Any, portal: str) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    from auditor.store import StoreError

    if store is None:
        return {}
    try:
        return store.pending_digests(portal)
    except StoreError as exc:
        log.error("undelivered digests of %s cannot be read: %s", portal, exc)
        return {}


def _deliver(cfg: PortalConfig, store: Any, digest: Any, channel: str,
             earlier: tuple[str, dict[str, Any]] | None) -> str:
    """Send one channel's digest (with any undelivered earlier one folded in); keep it when it fails."""
    from auditor.digest import send_email, send_webhook
    from auditor.store import StoreError

    since = earlier[0] if earlier else iso(datetime.now(UTC))
    if earlier is not None:
        digest = digest.carry(earlier[1], since)
    if not digest.new and not digest.fixed:
        ok = True  # what was kept cancelled out: nothing left to tell
    elif channel == "email":
        ok = send_email(digest, cfg.notify)
    else:
        ok = send_webhook(digest, _post, cfg.notify.retries if cfg.notify else 3)
    said = (f"e-mail {'sent' if ok else 'NOT sent'} to {', '.join(digest.emails)}" if channel == "email"
            else f"webhook {'delivered' if ok else 'NOT delivered'}")
    if store is not None:
        try:
            if ok and earlier is not None:
                store.drop_digest(cfg.id, digest.department, channel)
            elif not ok:
                store.keep_digest(cfg.id, digest.department, channel, since, digest.kept())
                said += " (kept: it goes out with the next digest)"
        except StoreError as exc:
            log.error("digest for %s: the store could not keep it: %s", digest.department, exc)
    return f"{digest.department}: {said}"


def _post(url: str, payload: dict[str, Any]) -> int:
    import httpx

    return httpx.post(url, json=payload, timeout=30).status_code


def close(job: Job) -> None:
    """Release the store."""
    if job.store is not None:
        job.store.close()
