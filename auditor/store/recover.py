"""Set a damaged SQLite history store aside and start a new one with what can still be read.

SQLite reports damage page by page: a run whose row sits on a good page can be read even when
others cannot. Each stored report is read on its own, so one bad page costs the runs on it,
not the history.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.store.store import Store, StoreError


@dataclass(frozen=True)
class Recovery:
    """What :func:`set_aside` did."""

    damaged: Path  # where the old file now is
    runs: int  # complete runs found in the old file
    recovered: int  # of those, copied into the new store


def set_aside(path: Path) -> Recovery:
    """Move ``path`` (and its WAL files) to ``<path>.damaged-<time>``, create a new store at
    ``path`` and copy into it every complete run whose report can still be read."""
    if not path.is_file():
        raise StoreError(f"no SQLite history store at {path}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(damaged.with_name(damaged.name + suffix))
    reports = list(_readable_reports(damaged))
    store = Store(f"sqlite:///{path}")
    try:
        for portal, report in reports:
            store.record(portal, report)
    finally:
        store.close()
    return Recovery(damaged, _count(damaged), len(reports))


def _readable_reports(path: Path) -> list[tuple[str, dict[str, Any]]]:
    out = []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        try:
            ids = [r[0] for r in db.execute("SELECT id FROM runs WHERE status IN ('complete', 'incomplete') "
                                            "ORDER BY id")]
        except sqlite3.Error:
            ids = list(range(1, _max_id(db) + 1))  # the index is damaged: try every id
        for run_id in ids:
            try:
                row = db.execute("SELECT portal, report FROM runs WHERE id = ? AND report IS NOT NULL",
                                 (run_id,)).fetchone()
                if row:
                    out.append((str(row[0]), json.loads(row[1])))
            except (sqlite3.Error, ValueError):
                continue  # this run's page is damaged: the others are still worth having
    finally:
        db.close()
    return out


def _max_id(db: sqlite3.Connection) -> int:
    try:
        return int(db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'runs'").fetchone()[0])
    except (sqlite3.Error, TypeError):
        return 0


def _count(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM runs WHERE status IN ('complete', 'incomplete')")
                       .fetchone()[0])
    except sqlite3.Error:
        return -1  # unknown: the table itself is unreadable
