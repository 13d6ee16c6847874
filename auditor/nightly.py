"""Nightly audits: run a configured portal, store the run, tell each department what changed.

``run_portal`` is what a scheduled job calls (by its dotted name, so APScheduler's job store
can keep it across restarts); ``auditor schedule`` runs the jobs as a foreground service,
and ``auditor schedule --once`` runs every due job now and exits.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from auditor.config import PortalConfig

log = logging.getLogger("auditor.nightly")
JOB_TABLE = "auditor_jobs"


@dataclass
class NightlyResult:
    """What one nightly run did."""

    portal: str
    run_id: int
    score: float | None
    new: int
    fixed: int
    digests: list[str]  # one line per digest: where it went, or that it was printed


def last_content(store: Any, portal: str, checks: Sequence[Any]) -> Any:
    """What the last complete run of ``portal`` read from files, for an incremental audit."""
    from auditor.check import TableCheck
    from auditor.incremental import previous_content

    runs = store.runs(portal, limit=1)
    if not runs:
        return None
    return previous_content(store.report(runs[0].id), {c.id for c in checks if issubclass(c, TableCheck)})


def run_portal(portal: str, db_url: str, dry_run: bool = False,
               echo: Callable[[str], None] | None = None, full: bool = False) -> NightlyResult:
    """Audit one configured portal (a config id or a config file path), record the run, send its digests."""
    from auditor import registry
    from auditor.config import apply_portal, find_portal, load_rubric, portal_suites
    from auditor.errors import AuditorError, ConfigError
    from auditor.http import HttpClient, settings_for
    from auditor.runner import AuditOptions, audit_portal
    from auditor.sources import SourceOptions
    from auditor.store import Store
    from auditor.table import ContentOptions
    from reports import report_dict

    cfg = find_portal(portal)
    if cfg is None:
        raise ConfigError(f"no portal config {portal!r}")
    checks = registry.all_checks()
    known = {c.id: c for c in checks}
    rubric = apply_portal(load_rubric(None, known), cfg, known)
    content = ContentOptions(max_download_mb=cfg.max_download_mb or 200.0, suites=tuple(portal_suites(cfg)))
    settings = settings_for(
        cfg.url, timeout=cfg.timeout or 30.0, per_host=cfg.concurrency or 4, max_rate=cfg.max_rate,
        retries=cfg.retries if cfg.retries is not None else 3,
        app_token=os.environ.get(cfg.app_token_env, "") if cfg.app_token_env else "",
        allow_hosts=tuple(h for h in os.environ.get("AUDITOR_ALLOW_HOSTS", "").split(",") if h),
        allow_addresses=(*cfg.allow_addresses, *os.environ.get("AUDITOR_ALLOW_ADDRESSES", "").split()),
    )
    store = Store(db_url)
    options = AuditOptions(platform=cfg.platform, max_datasets=cfg.max_datasets,
                           workers=max(2, (cfg.concurrency or 4) * 2), source=SourceOptions(domain=cfg.domain),
                           content=content, previous=None if full else last_content(store, cfg.id, checks))
    run_id = store.start(cfg.id, cfg.url)
    try:
        with HttpClient(settings) as http:
            result = audit_portal(cfg.url, http, rubric, checks, options)
    except AuditorError:
        store.abandon(run_id)
        raise
    except BaseException:
        store.abandon(run_id, "interrupted")
        raise
    if cfg.title:
        result = replace(result, portal=replace(result.portal, title=cfg.title))
    from auditor.streaks import with_link_history

    result = with_link_history(store, cfg.id, result, cfg.broken_after, rubric)
    doc = report_dict(result)
    store.finish(run_id, doc)
    changes = store.changes(store.resolve(str(run_id)), doc)
    store.close()
    lines = _send_digests(cfg, changes, {c.id: c.fix for c in checks}, dry_run, echo)
    log.info("%s: run %d stored, score %s, %d new problems, %d fixed", cfg.id, run_id, doc["portal"]["score"],
             len(changes.new), len(changes.fixed))
    return NightlyResult(cfg.id, run_id, doc["portal"]["score"], len(changes.new), len(changes.fixed), lines)


def _send_digests(cfg: PortalConfig, changes: Any, fixes: dict[str, str], dry_run: bool,
                  echo: Callable[[str], None] | None) -> list[str]:
    from auditor.digest import build_digests, send_email, send_webhook

    if changes.before is None:
        return []  # a first run has no "since last night"
    lines = []
    for digest in build_digests(changes, cfg.title or cfg.id, cfg.owners, fixes):
        if dry_run:
            text = f"--- digest for {digest.department} -> {', '.join(digest.emails) or digest.webhook}\n" \
                   f"Subject: {digest.subject}\n\n{digest.text()}"
            (echo or print)(text)
            lines.append(f"{digest.department}: printed (dry run)")
            continue
        if digest.emails:
            ok = send_email(digest, cfg.notify)
            lines.append(f"{digest.department}: e-mail {'sent' if ok else 'NOT sent'} to {', '.join(digest.emails)}")
        if digest.webhook:
            ok = send_webhook(digest, _post, cfg.notify.retries if cfg.notify else 3)
            lines.append(f"{digest.department}: webhook {'delivered' if ok else 'NOT delivered'}")
    return lines


def _post(url: str, payload: dict[str, Any]) -> int:
    import httpx

    return httpx.post(url, json=payload, timeout=30).status_code


def due(cfg: PortalConfig, last_started: str | None, now: datetime | None = None) -> bool:
    """Whether the portal's schedule fired since its last stored run."""
    from apscheduler.triggers.cron import CronTrigger

    if last_started is None:
        return True
    now = now or datetime.now(UTC)
    trigger = CronTrigger.from_crontab(cfg.cron, timezone=cfg.timezone)
    last = datetime.fromisoformat(last_started.replace("Z", "+00:00"))
    fire = trigger.get_next_fire_time(None, last)
    return fire is not None and fire <= now


def run_due(portals: Sequence[PortalConfig], db_url: str, *, force: bool = False, dry_run: bool = False,
            echo: Callable[[str], None] = print, full: bool = False) -> list[NightlyResult]:
    """``auditor schedule --once``: every due portal now, one after the other."""
    from auditor.store import Store

    store = Store(db_url)
    last = {cfg.id: (runs[0].started if (runs := store.runs(cfg.id, limit=1)) else None) for cfg in portals}
    store.close()
    done = []
    for cfg in portals:
        if not force and not due(cfg, last[cfg.id]):
            echo(f"{cfg.id}: not due (last run {last[cfg.id]})")
            continue
        try:
            outcome = run_portal(cfg.path or cfg.id, db_url, dry_run=dry_run, echo=echo, full=full)
        except Exception as exc:  # noqa: BLE001 - one portal's failure must not stop the others
            echo(f"{cfg.id}: FAILED: {exc}")
            continue
        echo(f"{cfg.id}: run {outcome.run_id}, score {outcome.score}, {outcome.new} new problems, "
             f"{outcome.fixed} fixed")
        for line in outcome.digests:
            echo(f"  {line}")
        done.append(outcome)
    return done


def serve(portals: Sequence[PortalConfig], db_url: str, *, dry_run: bool = False,
          echo: Callable[[str], None] = print, stop: threading.Event | None = None) -> None:
    """Run the schedule in the foreground until SIGTERM or SIGINT.

    One cron job per portal in a job store in the same database (schedules survive
    restarts); at most one instance of a job at a time; missed runs coalesce into one and
    may start up to an hour late. On a stop signal the run in progress finishes (a second
    signal abandons it; the store then marks it interrupted) and the process exits.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    stop = stop or threading.Event()
    previous: dict[int, Any] = {}

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():
            os._exit(130)  # second signal: leave now; the store marks the run interrupted
        echo(f"stopping on {signal.Signals(signum).name}: finishing the run in progress")
        stop.set()

    # Handlers first: a signal that arrives while the scheduler starts must still stop it cleanly.
    if threading.current_thread() is threading.main_thread():
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            previous[stop_signal] = signal.signal(stop_signal, on_signal)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=db_url, tablename=JOB_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone="UTC",
    )
    scheduler.start(paused=True)
    wanted = {f"portal:{cfg.id}" for cfg in portals}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    for cfg in portals:
        scheduler.add_job("auditor.nightly:run_portal", CronTrigger.from_crontab(cfg.cron, timezone=cfg.timezone),
                          id=f"portal:{cfg.id}", name=cfg.title or cfg.id, args=[cfg.path or cfg.id, db_url, dry_run],
                          replace_existing=True)
    scheduler.resume()
    for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
        echo(f"{job.id}: next run {job.next_run_time.isoformat() if job.next_run_time else 'paused'}")
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        echo("scheduler stopped")
