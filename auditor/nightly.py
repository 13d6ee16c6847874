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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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


def run_portal(portal: str, db_url: str, dry_run: bool = False,
               echo: Callable[[str], None] | None = None, full: bool = False) -> NightlyResult:
    """Audit one configured portal (a config id or a config file path), record the run, send its digests.

    The same pipeline as ``auditor audit`` (auditor.job), with the portal config's settings
    over the defaults and the environment over the config.
    """
    from auditor import job as pipeline
    from auditor.config import find_portal
    from auditor.errors import ConfigError
    from auditor.settings import settings_for

    cfg = find_portal(portal)
    if cfg is None:
        raise ConfigError(f"no portal config {portal!r}")
    settings = settings_for(cfg, {"full": full} if full else {})
    job = pipeline.open_run(pipeline.prepare(settings, cfg, db_url))
    try:
        outcome = pipeline.run(job, digests=True, dry_run=dry_run, echo=echo)
    finally:
        pipeline.close(job)
    for warning in outcome.warnings:
        log.warning("%s: %s", cfg.id, warning)
    changes = outcome.changes
    new = len(changes.new) if changes is not None else 0
    fixed = len(changes.fixed) if changes is not None else 0
    score = outcome.doc["portal"]["score"]
    log.info("%s: run %s stored, score %s, %d new problems, %d fixed", cfg.id, outcome.run_id, score, new, fixed)
    return NightlyResult(cfg.id, outcome.run_id or 0, score, new, fixed, outcome.digests)


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
            echo: Callable[[str], None] = print, full: bool = False,
            failed: list[str] | None = None) -> list[NightlyResult]:
    """``auditor schedule --once``: every due portal now, one after the other. The ids of
    portals whose run failed are added to ``failed``."""
    failed = [] if failed is None else failed
    from auditor.store import Store

    store = Store(db_url)
    last = {cfg.id: (runs[0].started if (runs := store.runs(cfg.id, limit=1)) else None) for cfg in portals}
    store.close()
    with stopping(threading.Event(), echo) as stop:
        return _run_due(portals, db_url, last, stop, force, dry_run, echo, full, failed)


def _run_due(portals: Sequence[PortalConfig], db_url: str, last: dict[str, str | None], stop: threading.Event,
             force: bool, dry_run: bool, echo: Callable[[str], None], full: bool,
             failed: list[str]) -> list[NightlyResult]:
    done = []
    for cfg in portals:
        if stop.is_set():
            # Stopped: the run in progress was finished and stored; the rest wait for the next night.
            echo(f"{cfg.id}: not run (stopping)")
            failed.append(cfg.id)
            continue
        if not force and not due(cfg, last[cfg.id]):
            echo(f"{cfg.id}: not due (last run {last[cfg.id]})")
            continue
        try:
            outcome = run_portal(cfg.path or cfg.id, db_url, dry_run=dry_run, echo=echo, full=full)
        except Exception as exc:  # noqa: BLE001 - one portal's failure must not stop the others
            echo(f"{cfg.id}: FAILED: {exc}")
            log.error("%s: run failed: %s", cfg.id, exc)
            failed.append(cfg.id)
            continue
        echo(f"{cfg.id}: run {outcome.run_id}, score {outcome.score}, {outcome.new} new "
             f"problem{'' if outcome.new == 1 else 's'}, {outcome.fixed} fixed")
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
    stop = stop or threading.Event()
    # Handlers first: a signal that arrives while the scheduler starts must still stop it cleanly.
    with stopping(stop, echo):
        _serve(portals, db_url, dry_run, echo, stop)


@contextmanager
def stopping(stop: threading.Event, echo: Callable[[str], None]) -> Iterator[threading.Event]:
    """SIGTERM and SIGINT set ``stop`` (the run in progress finishes); a second one leaves at
    once, and the store then marks the unfinished run interrupted."""
    previous: dict[int, Any] = {}

    def on_signal(signum: int, _frame: Any) -> None:
        if stop.is_set():
            os._exit(130)
        echo(f"stopping on {signal.Signals(signum).name}: finishing the run in progress")
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            previous[stop_signal] = signal.signal(stop_signal, on_signal)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _serve(portals: Sequence[PortalConfig], db_url: str, dry_run: bool, echo: Callable[[str], None],
           stop: threading.Event) -> None:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

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
        echo("scheduler stopped")
