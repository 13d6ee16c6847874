"""Open a store, record runs, read them back."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, insert, select, text, update
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

from auditor.errors import AuditorError
from auditor.store import schema as t
from auditor.store.diff import Diff, diff_reports
from auditor.timeutil import iso


class StoreError(AuditorError):
    """The history store cannot be opened or written; the message says why in one line."""


def default_url() -> str:
    """``AUDITOR_DB``, else a SQLite file in the user's data folder (no set-up needed)."""
    env = os.environ.get("AUDITOR_DB")
    if env:
        return env
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "portal-auditor"
    return f"sqlite:///{base / 'history.sqlite'}"


@dataclass(frozen=True)
class RunInfo:
    """One row of the runs table."""

    id: int
    portal: str
    url: str
    started: str
    finished: str | None
    status: str
    score: float | None
    grade: str | None
    datasets: int | None


def _remember_password(url: str) -> None:
    from sqlalchemy.engine import make_url

    from auditor.redact import remember

    with contextlib.suppress(ArgumentError, ValueError):
        remember(make_url(url).password)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(an unreadable URL)"


class Store:
    """A history store at a SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://...``."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        _remember_password(self.url)
        try:
            if self.url.startswith("sqlite:///"):
                Path(self.url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot use database {_safe(self.url)}: {str(exc).splitlines()[0]}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    if self.engine.dialect.name == "postgresql":
                        # Two processes opening a new store at once must not both create the tables.
                        conn.execute(text("SELECT pg_advisory_xact_lock(727171)"))
                    t.migrate(conn)
                    _mark_interrupted(conn)
                break
            except (IntegrityError, ProgrammingError) as exc:
                if attempt == 2:  # another process created the schema under us; the retry sees it
                    raise StoreError(f"cannot open database {_safe(self.url)}: {_first_line(exc)}") from None
            except OperationalError as exc:
                if attempt == 2 or not ("already exists" in str(exc) or "locked" in str(exc)):
                    if self.engine.dialect.name == "sqlite" and "malformed" in str(exc):
                        raise StoreError(self._damaged(str(exc))) from None
                    raise StoreError(f"cannot open database {_safe(self.url)}: {_first_line(exc)}") from None
            except DatabaseError as exc:
                # "file is not a database", "database disk image is malformed": say how to recover.
                raise StoreError(self._damaged(_first_line(exc))) from None
        if self.engine.dialect.name == "sqlite":
            self._check_sqlite()

    def _damaged(self, why: str) -> str:
        path = self.url.removeprefix("sqlite:///")
        return (f"the history store {path} is damaged ({why.splitlines()[0][:120]}); `auditor store set-aside` "
                f"keeps it as {path}.damaged-<time> and starts a new one with every run still readable "
                f"(or by hand: mv {path} {path}.damaged)")

    def _check_sqlite(self) -> None:
        """SQLite's own quick integrity check: a store with damaged pages is found on open, not
        half-way through a night (where the link history lookup would then fail)."""
        try:
            with self.engine.connect() as conn:
                rows = [str(r[0]) for r in conn.execute(text("PRAGMA quick_check(5)"))]
        except DatabaseError as exc:
            raise StoreError(self._damaged(_first_line(exc))) from None
        if rows != ["ok"]:
            raise StoreError(self._damaged("; ".join(rows)))

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreError(f"database {_safe(self.url)}: {_first_line(exc)}") from None

    def start(self, portal: str, url: str) -> int:
        """Mark a run as started; its results arrive with :meth:`finish`."""
        with self._tx() as conn:
            row = conn.execute(insert(t.runs).values(portal=portal, url=url, platform="", status="running",
                                                     started=iso(datetime.now(UTC)), host=_HOST,
                                                     pid=os.getpid()).returning(t.runs.c.id))
            return int(row.scalar_one())

    def finish(self, run_id: int, report: Mapping[str, Any]) -> None:
        """Write a run's report, datasets, findings and scores in one transaction."""
        portal = report.get("portal") or {}
        run = report.get("run") or {}
        with self._tx() as conn:
            conn.execute(delete(t.findings).where(t.findings.c.run_id == run_id))
            conn.execute(delete(t.datasets).where(t.datasets.c.run_id == run_id))
            conn.execute(delete(t.scores).where(t.scores.c.run_id == run_id))
            dataset_rows, finding_rows, score_rows = _rows(run_id, report)
            if dataset_rows:
                conn.execute(insert(t.datasets), dataset_rows)
            if finding_rows:
                conn.execute(insert(t.findings), finding_rows)
            if score_rows:
                conn.execute(insert(t.scores), score_rows)
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(
                platform=str(portal.get("platform") or ""), started=run.get("started"), finished=run.get("finished"),
                # An incomplete catalogue is kept, but never the baseline of a comparison.
                status="incomplete" if portal.get("catalogue_incomplete") else "complete",
                score=portal.get("score"), grade=portal.get("grade"),
                datasets=len(report.get("datasets") or []), version=run.get("version"),
                report=json.dumps(report, ensure_ascii=False, sort_keys=True)))

    def abandon(self, run_id: int, status: str = "failed") -> None:
        """Close a run that produced no report (the portal could not be read)."""
        with self._tx() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(status=status,
                                                                          finished=iso(datetime.now(UTC))))

    def record(self, portal: str, report: Mapping[str, Any]) -> int:
        """Start and finish a run in one go; its id."""
        run_id = self.start(portal, str((report.get("portal") or {}).get("url") or portal))
        self.finish(run_id, report)
        return run_id

    def runs(self, portal: str | None = None, *, complete_only: bool = True, limit: int = 50) -> list[RunInfo]:
        """Runs, newest first."""
        query = select(t.runs.c.id, t.runs.c.portal, t.runs.c.url, t.runs.c.started, t.runs.c.finished,
                       t.runs.c.status, t.runs.c.score, t.runs.c.grade, t.runs.c.datasets)
        if portal:
            query = query.where(t.runs.c.portal == portal)
        if complete_only:
            query = query.where(t.runs.c.status == "complete")
        query = query.order_by(t.runs.c.started.desc(), t.runs.c.id.desc()).limit(limit)
        with self._tx() as conn:
            return [RunInfo(*row) for row in conn.execute(query)]

    def resolve(self, which: str, portal: str | None = None) -> RunInfo:
        """A run by id, or ``latest`` / ``previous`` (of a portal, when given)."""
        if which in ("latest", "previous"):
            found = self.runs(portal, limit=2)
            index = 0 if which == "latest" else 1
            if len(found) <= index:
                where = f" for {portal}" if portal else ""
                raise StoreError(f"no {'' if index == 0 else 'previous '}complete run{where} in {_safe(self.url)}")
            return found[index]
        try:
            run_id = int(which)
        except ValueError:
            raise StoreError(f"--run expects a run id, 'latest' or 'previous', got {which!r}") from None
        if not 0 < run_id < 2**63:
            raise StoreError(f"no run {which} in {_safe(self.url)}")
        with self._tx() as conn:
            row = conn.execute(select(t.runs.c.id, t.runs.c.portal, t.runs.c.url, t.runs.c.started,
                                      t.runs.c.finished, t.runs.c.status, t.runs.c.score, t.runs.c.grade,
                                      t.runs.c.datasets).where(t.runs.c.id == run_id)).first()
        if row is None:
            raise StoreError(f"no run {run_id} in {_safe(self.url)}")
        return RunInfo(*row)

    def before(self, run: RunInfo) -> RunInfo | None:
        """The complete run of the same portal just before ``run``."""
        query = (select(t.runs.c.id, t.runs.c.portal, t.runs.c.url, t.runs.c.started, t.runs.c.finished,
                        t.runs.c.status, t.runs.c.score, t.runs.c.grade, t.runs.c.datasets)
                 .where(t.runs.c.portal == run.portal, t.runs.c.status == "complete",
                        (t.runs.c.started < run.started) | ((t.runs.c.started == run.started) & (t.runs.c.id < run.id)))
                 .order_by(t.runs.c.started.desc(), t.runs.c.id.desc()).limit(1))
        with self._tx() as conn:
            row = conn.execute(query).first()
        return RunInfo(*row) if row else None

    def department_history(self, portal: str, until: str | None = None, limit: int = 90
                           ) -> dict[str, list[tuple[str, float | None]]]:
        """Each department's score per complete run of a portal, oldest first."""
        recent = [r for r in self.runs(portal, limit=limit) if until is None or r.started <= until]
        by_id = {r.id: r.started for r in recent}
        out: dict[str, list[tuple[str, float | None]]] = {}
        if not by_id:
            return out
        with self._tx() as conn:
            rows = conn.execute(select(t.scores.c.run_id, t.scores.c.name, t.scores.c.value)
                                .where(t.scores.c.run_id.in_(list(by_id)), t.scores.c.scope == "department",
                                       t.scores.c.dimension == "overall"))
            for run_id, name, value in rows:
                out.setdefault(name, []).append((by_id[run_id], value))
        return {name: sorted(points) for name, points in sorted(out.items())}

    def recent_statuses(self, portal: str, check: str, runs: int) -> list[tuple[str, dict[tuple[str, str], str]]]:
        """For the last ``runs`` complete runs of a portal, newest first: (started, status by
        (dataset, resource)) of one check's findings."""
        recent = self.runs(portal, limit=runs)
        out = []
        with self._tx() as conn:
            for run in recent:
                rows = conn.execute(select(t.findings.c.dataset_id, t.findings.c.resource_id, t.findings.c.status,
                                           t.findings.c.details)
                                    .where(t.findings.c.run_id == run.id, t.findings.c.check_id == check))
                out.append((run.started, {(r[0], r[1]): r[2] if r[2] != "error" or "failing_since" not in (r[3] or "")
                                          else "failing" for r in rows}))
        return out

    def changes(self, run: RunInfo, report: Mapping[str, Any] | None = None) -> Diff:
        """What changed in ``run`` since the portal's previous complete run."""
        previous = self.before(run)
        return diff_reports(self.report(previous.id) if previous else None,
                            report if report is not None else self.report(run.id))

    def report(self, run_id: int) -> dict[str, Any]:
        """The stored report JSON of a run."""
        with self._tx() as conn:
            text = conn.execute(select(t.runs.c.report).where(t.runs.c.id == run_id)).scalar_one_or_none()
        if not text:
            raise StoreError(f"run {run_id} has no stored report (it did not complete)")
        data: dict[str, Any] = json.loads(text)
        return data

    def pending_digests(self, portal: str) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
        """Undelivered digests of ``portal``: (department, channel) -> (since, payload)."""
        with self._tx() as conn:
            rows = conn.execute(select(t.pending_digests).where(t.pending_digests.c.portal == portal)).all()
        return {(r.department, r.channel): (r.since, json.loads(r.payload)) for r in rows}

    def keep_digest(self, portal: str, department: str, channel: str, since: str, payload: Mapping[str, Any]) -> None:
        """Keep a digest that could not be delivered, in place of any kept before it."""
        with self._tx() as conn:
            self._drop_digest(conn, portal, department, channel)
            conn.execute(insert(t.pending_digests).values(portal=portal, department=department, channel=channel,
                                                          since=since, payload=json.dumps(payload, sort_keys=True)))

    def drop_digest(self, portal: str, department: str, channel: str) -> None:
        """Forget a kept digest: it was delivered."""
        with self._tx() as conn:
            self._drop_digest(conn, portal, department, channel)

    @staticmethod
    def _drop_digest(conn: Any, portal: str, department: str, channel: str) -> None:
        p = t.pending_digests.c
        conn.execute(delete(t.pending_digests).where(p.portal == portal, p.department == department,
                                                     p.channel == channel))

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()


def _rows(run_id: int, report: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                            list[dict[str, Any]]]:
    datasets, findings, scores = [], [], []
    portal = report.get("portal") or {}
    scores.append({"run_id": run_id, "scope": "portal", "name": "", "dimension": "overall",
                   "value": portal.get("score")})
    for dim, value in (portal.get("dimensions") or {}).items():
        scores.append({"run_id": run_id, "scope": "portal", "name": "", "dimension": dim, "value": value})
    for dept in report.get("departments") or []:
        scores.append({"run_id": run_id, "scope": "department", "name": dept["name"], "dimension": "overall",
                       "value": dept.get("score")})
    for ds in report.get("datasets") or []:
        markers = {k: ds.get(k) for k in ("data_modified", "metadata_modified") if ds.get(k)}
        datasets.append({"run_id": run_id, "dataset_id": ds["id"], "title": ds.get("title"),
                         "department": ds.get("organization") or "", "score": ds.get("score"),
                         "grade": ds.get("grade"), "markers": json.dumps(markers, sort_keys=True)})
        scores.append({"run_id": run_id, "scope": "dataset", "name": ds["id"], "dimension": "overall",
                       "value": ds.get("score")})
        for f in ds.get("findings") or []:
            findings.append({"run_id": run_id, "dataset_id": ds["id"], "check_id": f["check"],
                             "resource_id": f.get("resource") or "", "status": f["status"], "value": f.get("value"),
                             "weight": f.get("weight"), "dimension": f.get("dimension"),
                             "message": f.get("message"),
                             "details": json.dumps(f.get("details") or {}, ensure_ascii=False, sort_keys=True)})
    return datasets, findings, scores


_HOST = socket.gethostname()[:255]
STALE = timedelta(days=2)  # a run on another machine still "running" after this was lost with it


def _mark_interrupted(conn: Any) -> None:
    """A run still "running" whose process is gone was killed: say so, keep nothing of it.

    A run another process is doing right now (an ``auditor report`` while the nightly runs)
    stays "running": its process is alive on this machine, or it runs on another machine and
    started less than :data:`STALE` ago.
    """
    stale = iso(datetime.now(UTC) - STALE)
    rows = conn.execute(select(t.runs.c.id, t.runs.c.host, t.runs.c.pid, t.runs.c.started)
                        .where(t.runs.c.status == "running")).all()
    gone = [r.id for r in rows if (r.host == _HOST and not _alive(r.pid)) or r.host is None or r.started < stale]
    if gone:
        conn.execute(update(t.runs).where(t.runs.c.id.in_(gone)).values(status="interrupted"))


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: asks whether the process exists, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to another user
    return True


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock when the transaction starts: a reader that upgrades to a writer
    # while another process writes gets "database is locked" at once, busy timeout or not.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a run is written; the busy timeout makes two writers wait
    # their turn instead of failing.
    dbapi_connection.isolation_level = None  # transactions are begun explicitly (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")  # first: switching to WAL itself may have to wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
