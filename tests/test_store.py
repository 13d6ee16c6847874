"""The history store on a real SQLite file and a real PostgreSQL server; report and diff commands."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from auditor.demo.server import DemoServer
from auditor.store import Store, StoreError, diff_reports
from tests.conftest import auditor

ALLOW = ["--allow-host", "127.0.0.1"]




@pytest.fixture(scope="module")
def demo_report(demo: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("report")
    run = auditor("audit", f"{demo.root}/ckan", "--out", str(out), "--no-content", *ALLOW)
    assert run.returncode == 0, run.stderr
    return json.loads((out / "report.json").read_text("utf-8"))


def changed(report: dict) -> dict:
    """The same portal a night later: one problem fixed, one new, a dataset gone."""
    later = copy.deepcopy(report)
    later["run"]["started"] = "2099-01-01T02:00:00Z"
    first, second = later["datasets"][0], later["datasets"][1]
    fixed = next(f for f in first["findings"] if f["status"] == "fail")
    fixed["status"], fixed["value"] = "pass", 1.0
    broken = next(f for f in second["findings"] if f["status"] == "pass")
    broken["status"], broken["value"], broken["message"] = "fail", 0.0, "now broken"
    second["score"] = (second["score"] or 0) - 10
    removed = later["datasets"].pop()
    later["removed_for_test"] = removed["id"]
    return later


def test_record_read_back_and_diff(store_url: str, demo_report: dict) -> None:
    store = Store(store_url)
    first = store.record("zurich", demo_report)
    later = changed(demo_report)
    second = store.record("zurich", later)
    assert store.resolve("latest", "zurich").id == second
    assert store.resolve("previous", "zurich").id == first
    assert store.report(first) == json.loads(json.dumps(demo_report, sort_keys=True))
    run = store.resolve(str(second))
    assert store.before(run).id == first  # type: ignore[union-attr]
    d = diff_reports(store.report(first), store.report(second))
    assert [p.dataset_id for p in d.new] == [later["datasets"][1]["id"]]
    assert [p.dataset_id for p in d.fixed] == [later["datasets"][0]["id"]]
    assert d.removed == [later["removed_for_test"]]
    assert any(s.scope == "dataset" and s.name == later["datasets"][1]["id"] for s in d.scores)
    assert set(d.departments()) == {"Stadt Zürich"}
    store.close()


def _start_and_wait(url: str, started: object, release: object) -> None:
    store = Store(url)
    store.start("zurich", "http://x")
    started.set()  # type: ignore[attr-defined]
    release.wait(60)  # type: ignore[attr-defined]
    os._exit(0)  # dies without finishing the run, as a killed nightly would


def test_reopening_migrates_once_and_marks_killed_runs(store_url: str, demo_report: dict) -> None:
    ctx = multiprocessing.get_context("spawn")
    started, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_start_and_wait, args=(store_url, started, release))
    proc.start()
    assert started.wait(60)
    # While its process lives the run is live: another command opening the store leaves it be.
    live = Store(store_url)
    [(run_id, status)] = [(r.id, r.status) for r in live.runs("zurich", complete_only=False)]
    assert status == "running"
    live.close()
    release.set()
    proc.join(30)
    again = Store(store_url)  # its process is gone: the run was killed and becomes "interrupted"
    runs = again.runs("zurich", complete_only=False)
    assert [(r.id, r.status) for r in runs] == [(run_id, "interrupted")]
    assert again.runs("zurich") == []
    with pytest.raises(StoreError, match="no complete run for zurich"):
        again.resolve("latest", "zurich")
    again.close()


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    run = auditor("report", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "cannot open database" in run.stderr
    run = auditor("report", "--db", "nosuchdriver://x")
    assert run.returncode == 2 and "cannot use database" in run.stderr


def test_password_never_printed() -> None:
    run = auditor("report", "--db", "postgresql+psycopg://user:s3cret-pw@127.0.0.1:1/none")
    assert run.returncode == 2 and "s3cret-pw" not in run.stderr and "***" in run.stderr


def test_audit_records_runs_and_report_redraws_them(demo: DemoServer, store_url: str, tmp_path: Path) -> None:
    args = ["audit", f"{demo.root}/ckan", "--no-content", "--db", store_url, *ALLOW]
    first = auditor(*args)
    assert first.returncode == 0, first.stderr
    assert "first stored run of this portal" in first.stdout
    second = auditor(*args, "--format", "json")
    doc = json.loads(second.stdout)
    assert doc["changes"]["before"] is not None and doc["changes"]["new_problems"] == []
    shown = auditor("report", f"{demo.root}/ckan", "--db", store_url, "--format", "json", "--out", str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    stored = json.loads(shown.stdout)
    assert stored["datasets"] == doc["datasets"] and stored["portal"] == doc["portal"]
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["portal"] == doc["portal"]
    console = auditor("report", "--db", store_url, "--run", "previous")
    assert console.returncode == 0 and "Portal score" in console.stdout and "first stored run" in console.stdout
    diff = auditor("diff", "--db", store_url, "--format", "json")
    assert diff.returncode == 0 and json.loads(diff.stdout)["schema"] == "auditor-diff/1"


def _write_many(url: str, report: dict, n: int) -> None:
    store = Store(url)
    for _ in range(n):
        store.record("zurich", report)
    store.close()


def test_two_writers_at_once_do_not_corrupt(store_url: str, demo_report: dict) -> None:
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_write_many, args=(store_url, demo_report, 3)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    store = Store(store_url)
    runs = store.runs("zurich")
    assert len(runs) == 6 and all(store.report(r.id)["datasets"] == demo_report["datasets"] for r in runs)
    store.close()


def _slow_writer(url: str, report: dict) -> None:
    big = copy.deepcopy(report)
    big["datasets"] = big["datasets"] * 400  # enough rows for the kill to land mid-write
    for i, ds in enumerate(big["datasets"]):
        ds["id"] = f"{ds['id']}-{i}"
    store = Store(url)
    while True:
        store.record("zurich", big)


def test_a_writer_killed_mid_run_leaves_the_store_consistent(store_url: str, demo_report: dict) -> None:
    Store(store_url).close()
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_slow_writer, args=(store_url, demo_report))
    proc.start()
    time.sleep(6)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    store = Store(store_url)
    complete = store.runs("zurich", limit=1000)
    from sqlalchemy import func, select

    from auditor.store import schema as t

    with store.engine.connect() as conn:
        for run in complete:  # every complete run has all its rows
            n = conn.execute(select(func.count()).select_from(t.datasets).where(t.datasets.c.run_id == run.id)).scalar()
            assert n == len(demo_report["datasets"]) * 400
        orphans = conn.execute(select(func.count()).select_from(t.findings).where(
            t.findings.c.run_id.not_in(select(t.runs.c.id).where(t.runs.c.status == "complete")))).scalar()
    assert orphans == 0
    assert all(r.status in ("complete", "interrupted") for r in store.runs("zurich", complete_only=False, limit=1000))
    store.close()


def test_a_version_1_store_is_brought_up_to_date_with_its_runs(tmp_path: Path, demo_report: dict) -> None:
    import sqlite3

    path = tmp_path / "history.sqlite"
    store = Store(f"sqlite:///{path}")
    old = store.record("zurich", demo_report)
    store.close()
    with sqlite3.connect(path) as db:  # the store as version 1 left it
        db.executescript("DROP TABLE pending_digests; ALTER TABLE runs DROP COLUMN host;"
                         "ALTER TABLE runs DROP COLUMN pid; DELETE FROM auditor_schema WHERE version > 1;")
    store = Store(f"sqlite:///{path}")
    assert [r.id for r in store.runs("zurich")] == [old]
    assert store.report(old)["portal"] == demo_report["portal"]
    store.keep_digest("zurich", "Parks", "email", "2026-11-20T02:00:00Z", {"new": [], "fixed": []})
    assert store.pending_digests("zurich") == {("Parks", "email"): ("2026-11-20T02:00:00Z", {"new": [], "fixed": []})}
    store.close()
    with sqlite3.connect(path) as db:
        assert [v for (v,) in db.execute("SELECT version FROM auditor_schema ORDER BY version")] == [1, 2]
