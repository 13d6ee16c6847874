"""Nightly audits: schedule --once against a portal whose data changes, digests to a real SMTP
server and a webhook receiver, the foreground scheduler's clean stop."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Responder, ScriptedServer, auditor


class Mailbox:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], str]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
                outer.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
                return "250 OK"

        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.stop()


def _rows(n: int, seed: int = 0) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["request_id", "created_date", "complaint_type"])
    for i in range(n):
        writer.writerow([str(1000 + i + seed), f"2024-0{1 + i % 9}-1{i % 9}T10:00:00", ["Noise", "Heat"][i % 2]])
    return buf.getvalue().encode()


class City:
    """A CKAN portal whose files can change between two nightly runs."""

    def __init__(self) -> None:
        self.files = {"parks-trees": _rows(200), "parks-benches": _rows(150, 5000), "police-calls": _rows(300, 9000)}
        self.depts = {"parks-trees": "Parks", "parks-benches": "Parks", "police-calls": "Police"}
        self.root = ""
        self.downloads: list[str] = []
        self.gone: set[str] = set()  # files that answer 404
        self.modified = {name: "2026-11-01T00:00:00" for name in self.files}

    def change(self, name: str, body: bytes, when: str = "2026-11-21T23:00:00") -> None:
        """A publisher replaces a file, and the portal says so."""
        self.files[name] = body
        self.modified[name] = when

    def respond(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/api/3/action/package_search"):
            results = [{
                "id": name, "name": name, "title": name.replace("-", " ").title(), "notes": "x" * 150,
                "license_id": "cc-by", "metadata_modified": self.modified[name],
                "organization": {"name": self.depts[name].lower(), "title": self.depts[name]},
                "resources": [{"id": f"{name}-csv", "name": "data", "format": "CSV", "last_modified":
                               self.modified[name], "url": f"{self.root}/files/{name}.csv"}],
            } for name in sorted(self.files)]
            body = {"success": True, "result": {"count": len(results), "results": results}}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
        if path.startswith("/files/"):
            name = path.split("/")[-1].removesuffix(".csv")
            if name in self.gone:
                return 404, {"Content-Type": "text/html"}, b"<html>Not found</html>"
            if method == "GET" and "range" not in headers:  # a ranged GET only sniffs the first bytes
                self.downloads.append(name)
            return 200, {"Content-Type": "text/csv"}, self.files[name]
        if path.startswith("/hooks/"):
            return 204, {}, b""
        return 404, {"Content-Type": "application/json"}, b'{"success": false}'


def write_config(folder: Path, root: str, smtp_port: int, cron: str = "0 2 * * *") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.yaml").write_text(f"""
url: {root}
platform: ckan
title: Example City
schedule: {{cron: "{cron}", timezone: Europe/Zurich}}
owners:
  Parks: [parks@city.example]
  Police: {{emails: [records@city.example], webhook: "{root}/hooks/police"}}
notify: {{smtp_host: 127.0.0.1, smtp_port: {smtp_port}, sender: audits@city.example, retries: 1}}
""", encoding="utf-8")


def open_city(scripted: Callable[[Responder], ScriptedServer], tmp_path: Path, smtp_port: int,
              cron: str = "0 2 * * *") -> tuple[City, ScriptedServer, Path]:
    """The changing city portal on loopback, and a config folder pointing at it."""
    city = City()
    server = scripted(city.respond)
    city.root = server.root
    configs = tmp_path / "portals"
    write_config(configs, server.root, smtp_port, cron)
    return city, server, configs




def test_two_nights_with_a_change(scripted: Callable[[Responder], ScriptedServer], mailbox: Mailbox,
                                  store_url: str, tmp_path: Path) -> None:
    db = store_url
    city, server, configs = open_city(scripted, tmp_path, mailbox.port)

    first = auditor("schedule", "--once", "--db", db, "--config-dir", str(configs))
    assert first.returncode == 0, first.stderr
    assert "city: run 1" in first.stdout and mailbox.messages == []  # nothing to tell after a first run
    again = auditor("schedule", "--once", "--db", db, "--config-dir", str(configs))
    assert "city: not due" in again.stdout  # the 02:00 schedule has not fired since

    # Overnight the Parks department breaks one file: repeated ids.
    broken = _rows(200).decode().splitlines()
    broken[5] = broken[4]
    city.change("parks-trees", ("\n".join(broken) + "\n").encode())
    city.downloads.clear()
    second = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs))
    assert second.returncode == 0, second.stderr
    assert "city: run 2" in second.stdout and "1 new problem," in second.stdout
    # Incremental: only the changed dataset's file was read again.
    assert city.downloads == ["parks-trees"]
    assert "Parks: e-mail sent to parks@city.example" in second.stdout
    # Exactly one digest, to the department that owns the change, naming the dataset and the fix.
    assert len(mailbox.messages) == 1
    to, content = mailbox.messages[0]
    assert to == ["parks@city.example"]
    assert "Subject: [Example City] Parks: 1 new data problem, 0 fixed" in content
    assert "parks-trees" in content and "resource.unique-identifier" in content and "fix:" in content
    assert not [b for p, b in server.bodies if p == "/hooks/police"]  # Police: nothing changed, nothing sent

    diff = auditor("diff", "city", "--db", db, "--format", "json")
    doc = json.loads(diff.stdout)
    assert [(p["dataset"], p["check"]) for p in doc["new_problems"]] == [("parks-trees",
                                                                           "resource.unique-identifier")]
    report = auditor("report", "city", "--db", db, "--run", "latest")
    assert report.returncode == 0 and "Example City" in report.stdout and "1 new problem," in report.stdout


def test_unreachable_mail_server_never_loses_the_run(scripted: Callable[[Responder], ScriptedServer],
                                                     tmp_path: Path) -> None:
    city, server, configs = open_city(scripted, tmp_path, smtp_port=1)  # nothing listens on port 1
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    assert auditor("schedule", "--once", "--db", db, "--config-dir", str(configs)).returncode == 0
    city.change("police-calls", b"request_id,created_date,complaint_type\n")  # emptied overnight
    run = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs), "-v")
    assert run.returncode == 0, run.stderr
    assert "Police: e-mail NOT sent" in run.stdout and "failed" in run.stderr
    assert any(p == "/hooks/police" for p, _ in server.bodies)  # the webhook still got it
    payload = json.loads(next(b for p, b in server.bodies if p == "/hooks/police"))
    assert payload["schema"] == "auditor-digest/1" and payload["department"] == "Police"
    shown = auditor("report", "city", "--db", db, "--format", "json")
    assert json.loads(shown.stdout)["portal"]["url"] == server.root  # the run was stored


def test_5_an_undelivered_digest_goes_out_with_the_next_one(scripted: Callable[[Responder], ScriptedServer],
                                                            mailbox: Mailbox, tmp_path: Path) -> None:
    city, server, configs = open_city(scripted, tmp_path, smtp_port=1)  # the mail server is down
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    assert auditor("schedule", "--once", "--db", db, "--config-dir", str(configs)).returncode == 0
    city.change("police-calls", b"request_id,created_date,complaint_type\n")  # emptied overnight
    down = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs))
    assert "Police: e-mail NOT sent" in down.stdout and "kept: it goes out with the next digest" in down.stdout
    hooks = len([p for p, _ in server.bodies if p == "/hooks/police"])
    assert hooks == 1  # the webhook got it that night: it is not sent again

    write_config(configs, server.root, mailbox.port)  # the mail server is back; nothing changed since
    back = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs))
    assert back.returncode == 0, back.stderr
    assert "Police: e-mail sent to records@city.example" in back.stdout
    [(to, content)] = mailbox.messages
    assert to == ["records@city.example"] and "police-calls" in content
    assert "carries 1 change from runs since" in content
    assert len([p for p, _ in server.bodies if p == "/hooks/police"]) == hooks

    quiet = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs))
    assert quiet.returncode == 0 and len(mailbox.messages) == 1  # delivered once, then forgotten


def test_5_a_night_that_failed_is_named_in_the_next_digest(scripted: Callable[[Responder], ScriptedServer],
                                                            mailbox: Mailbox, tmp_path: Path) -> None:
    city = City()
    down = threading.Event()

    def portal(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if down.is_set() and path.startswith("/api/"):
            return 503, {"Content-Type": "text/html"}, b"<html>maintenance</html>"
        return city.respond(method, path, headers)

    server = scripted(portal)
    city.root = server.root
    configs = tmp_path / "portals"
    write_config(configs, server.root, mailbox.port)
    (configs / "city.yaml").write_text((configs / "city.yaml").read_text() + "limits: {retries: 0}\n")
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    assert auditor("schedule", "--once", "--db", db, "--config-dir", str(configs)).returncode == 0
    down.set()
    failed = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs))
    assert failed.returncode == 1 and "city: FAILED" in failed.stdout
    down.clear()
    city.change("police-calls", b"request_id,created_date,complaint_type\n")
    back = auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs))
    assert back.returncode == 0, back.stderr
    import email
    from email import policy

    [(_, content)] = mailbox.messages
    body = email.message_from_string(content, policy=policy.default).get_content()  # type: ignore[attr-defined]
    assert "Audits that did not complete since the previous run: 20" in body and "(failed)" in body
    payload = json.loads(next(b for p, b in server.bodies if p == "/hooks/police"))
    assert len(payload["missed_runs"]) == 1 and payload["missed_runs"][0].endswith("(failed)")


def test_a_problem_that_came_and_went_between_deliveries_cancels_out() -> None:
    from auditor.digest import Digest
    from auditor.store.diff import Problem

    def problem(dataset: str) -> Problem:
        return Problem("Parks", dataset, dataset.title(), "resource.unique-identifier", "r1", "repeated ids")

    kept = Digest("Parks", "City", ("p@city.example",), None, new=[problem("trees"), problem("benches")], fixed=[])
    tonight = Digest("Parks", "City", ("p@city.example",), None, new=[problem("ponds")], fixed=[problem("trees")])
    merged = tonight.carry(kept.kept(), "2026-11-20T02:00:00Z")
    assert [p.dataset_id for p in merged.new] == ["benches", "ponds"] and merged.fixed == []
    assert merged.carried == 1 and "carries 1 change from runs since 2026-11-20" in merged.text()


def test_dry_run_prints_digests(scripted: Callable[[Responder], ScriptedServer], mailbox: Mailbox,
                                tmp_path: Path) -> None:
    city, server, configs = open_city(scripted, tmp_path, mailbox.port)
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    auditor("schedule", "--once", "--db", db, "--config-dir", str(configs))
    city.change("parks-benches", _rows(150, 5000).replace(b"Heat", b"").replace(b"Noise", b""))
    run = auditor("schedule", "--once", "--force", "--dry-run", "--db", db, "--config-dir", str(configs))
    assert "--- digest for Parks" in run.stdout and mailbox.messages == []


def test_foreground_scheduler_keeps_jobs_and_stops_cleanly(scripted: Callable[[Responder], ScriptedServer],
                                                           tmp_path: Path) -> None:
    city, server, configs = open_city(scripted, tmp_path, 1, cron="0 3 * * *")
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "schedule", "--db", db, "--config-dir", str(configs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("portal:city: next run 20")
        assert "T03:00:00+01:00" in line or "T03:00:00+02:00" in line  # 03:00 in Zurich
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping on SIGTERM" in out and "scheduler stopped" in out
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.connect() as conn:
        jobs = [row[0] for row in conn.execute(text("SELECT id FROM auditor_jobs"))]
    engine.dispose()
    assert jobs == ["portal:city"]  # the schedule survives a restart


def test_10_sigterm_during_once_finishes_and_stores_the_run_in_progress(
        scripted: Callable[[Responder], ScriptedServer], tmp_path: Path) -> None:
    import time

    city = City()
    started = threading.Event()

    def slow(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/files/"):
            started.set()
            time.sleep(0.4)  # a night's files take a while
        return city.respond(method, path, headers)

    server = scripted(slow)
    city.root = server.root
    configs = tmp_path / "portals"
    write_config(configs, server.root, smtp_port=1)
    (configs / "town.yaml").write_text((configs / "city.yaml").read_text().replace("Example City", "Example Town"))
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "schedule", "--once", "--db", db, "--config-dir",
                             str(configs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert started.wait(120)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "stopping on SIGTERM" in out and "city: run 1," in out, out + err
    assert "town: not run (stopping)" in out
    assert proc.returncode == 1  # not every due portal ran: a wrapper must know
    shown = auditor("report", "city", "--db", db, "--format", "json")
    assert shown.returncode == 0 and len(json.loads(shown.stdout)["datasets"]) == 3  # the run was stored whole


def test_10_ctrl_c_on_audit_leaves_at_once_and_marks_the_run(scripted: Callable[[Responder], ScriptedServer],
                                                             tmp_path: Path) -> None:
    import os

    city = City()
    asked, release = threading.Event(), threading.Event()

    def hanging(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/files/"):
            asked.set()
            release.wait(300)  # a file server that hangs far longer than anyone would wait
        return city.respond(method, path, headers)

    server = scripted(hanging)
    city.root = server.root
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "auditor", "audit", server.root, "--platform", "ckan",
                             "--allow-host", "127.0.0.1", "--timeout", "300", "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})
    try:
        assert asked.wait(120)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)  # not the 300 s the downloads in flight would take
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "auditor: interrupted; run 1 marked interrupted"
    assert "Traceback" not in err
    from auditor.store import Store

    store = Store(db)
    assert [r.status for r in store.runs(complete_only=False)] == ["interrupted"]
    store.close()
    assert not [p.name for p in tmp.iterdir() if p.name.startswith("auditor-")]  # no download left behind


def test_due_follows_the_cron_in_its_time_zone() -> None:
    from datetime import UTC, datetime

    from auditor.config import PortalConfig
    from auditor.nightly import due

    cfg = PortalConfig(id="c", url="https://x", cron="0 2 * * *", timezone="America/Chicago")
    # 02:00 in Chicago is 08:00 UTC in winter.
    assert not due(cfg, "2026-01-10T08:30:00Z", now=datetime(2026, 1, 11, 7, 59, tzinfo=UTC))
    assert due(cfg, "2026-01-10T08:30:00Z", now=datetime(2026, 1, 11, 8, 1, tzinfo=UTC))
    assert due(cfg, None)


def test_a_link_is_broken_only_after_two_failing_nights(scripted: Callable[[Responder], ScriptedServer],
                                                        tmp_path: Path) -> None:
    city, server, configs = open_city(scripted, tmp_path, 1)
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    city.gone.add("police-calls")
    nights, outputs = [], []
    for _ in range(3):
        run = auditor("schedule", "--once", "--force", "--dry-run", "--db", db, "--config-dir", str(configs))
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
        doc = json.loads(auditor("report", "city", "--db", db, "--format", "json").stdout)
        police = next(d for d in doc["datasets"] if d["id"] == "police-calls")
        nights.append(next(f for f in police["findings"] if f["check"] == "resource.url-reachable"))
    first, second, third = nights
    assert first["status"] == "error" and "failing since" in first["message"]  # one flaky night: not yet broken
    assert second["status"] == "fail" and second["details"]["failing_since"] == first["details"]["failing_since"]
    assert third["status"] == "fail" and third["details"]["failing_nights"] == 2
    # The night it became broken it is a new problem in Police's digest; not before, not after.
    assert ["--- digest for Police" in out for out in outputs] == [False, True, False]


def test_streaks_unit() -> None:
    from datetime import UTC, datetime

    from auditor.config import load_rubric
    from auditor.model import Dataset, Dimension, Finding, Portal, Score, Status
    from auditor.runner import AuditResult, DatasetResult
    from auditor.streaks import apply_streaks

    fail = Finding("resource.url-reachable", Dimension.ACCESSIBILITY, 3.0, Status.FAIL, "d", "HTTP 404",
                   resource_id="r", value=0.0)
    result = AuditResult(Portal("https://x", "ckan"), datetime(2026, 1, 3, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC),
                         [DatasetResult(Dataset("d", "D"), [fail], Score(0.0, "D", {}, {}))], Score(0.0, "D", {}, {}),
                         {}, 1, False)
    rubric = load_rubric()
    young = apply_streaks(result, [("2026-01-02T02:00:00Z", {("d", "r"): "pass"})], 3, rubric)
    assert young.datasets[0].findings[0].status == Status.ERROR and young.datasets[0].score.overall is None
    old = apply_streaks(result, [("2026-01-02T02:00:00Z", {("d", "r"): "failing"}),
                                 ("2026-01-01T02:00:00Z", {("d", "r"): "fail"})], 3, rubric)
    f = old.datasets[0].findings[0]
    assert f.status == Status.FAIL and f.details["failing_since"] == "2026-01-01T02:00:00Z"
    assert apply_streaks(result, [], 1, rubric) is result


def test_incremental_run_keeps_content_findings_and_full_reads_all(scripted: Callable[[Responder], ScriptedServer],
                                                                   tmp_path: Path) -> None:
    city, server, configs = open_city(scripted, tmp_path, 1)
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    auditor("schedule", "--once", "--db", db, "--config-dir", str(configs))
    assert sorted(city.downloads) == ["parks-benches", "parks-trees", "police-calls"]
    city.downloads.clear()
    # A file that changes without the portal saying so is not seen: the markers are what count.
    assert auditor("schedule", "--once", "--force", "--db", db, "--config-dir", str(configs)).returncode == 0
    assert city.downloads == []
    doc = json.loads(auditor("report", "city", "--db", db, "--format", "json").stdout)
    kept = [f for d in doc["datasets"] for f in d["findings"] if f["check"] == "resource.table-valid"]
    assert len(kept) == 3 and all("reused_from" in f["details"] for f in kept)
    assert all(f["status"] == "pass" for f in kept)
    links = [f for d in doc["datasets"] for f in d["findings"] if f["check"] == "resource.url-reachable"]
    assert links and not any("reused_from" in f["details"] for f in links)  # links are checked every night
    auditor("schedule", "--once", "--force", "--full", "--db", db, "--config-dir", str(configs))
    assert sorted(city.downloads) == ["parks-benches", "parks-trees", "police-calls"]


def test_a_moved_marker_with_an_unchanged_file_costs_a_304_not_a_download(scripted) -> None:  # type: ignore[no-untyped-def]
    """The description was edited (metadata_modified moved), the file was not: the auditor asks
    "changed since?" with the ETag it saw, and keeps last night's content findings on a 304."""
    import json as _json

    from auditor import registry
    from auditor.check import TableCheck
    from auditor.config import load_rubric
    from auditor.http import HttpClient, settings_for
    from auditor.incremental import previous_content
    from auditor.report import report_dict
    from auditor.runner import AuditOptions, audit_portal

    body = b"id,name\n" + b"".join(b"%d,Row %d\n" % (i, i) for i in range(500))
    state = {"modified": "2026-11-01T00:00:00"}

    def answer(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/api/3/action/status_show"):
            return 200, {}, b'{"success": true, "result": {"site_title": "T"}}'
        if path.startswith("/api/3/action/package_search"):
            pkg = {"id": "trees", "name": "trees", "title": "Trees", "metadata_modified": state["modified"],
                   "resources": [{"id": "r1", "url": f"{server.root}/trees.csv", "format": "CSV"}]}
            return 200, {}, _json.dumps({"success": True, "result": {"count": 1, "results": [pkg]}}).encode()
        if path == "/trees.csv":
            if headers.get("if-none-match") == '"abc"':
                return 304, {"ETag": '"abc"'}, b""
            return 200, {"ETag": '"abc"', "Content-Type": "text/csv"}, body
        return 404, {}, b""

    server = scripted(answer)
    checks = registry.all_checks()
    rubric = load_rubric(None, {c.id: c for c in checks})
    content_ids = {c.id for c in checks if issubclass(c, TableCheck)}

    def night(previous):  # type: ignore[no-untyped-def]
        with HttpClient(settings_for(server.root)) as http:
            return report_dict(audit_portal(server.root, http, rubric, checks,
                                            AuditOptions(platform="ckan", previous=previous)))

    first = night(None)
    state["modified"] = "2026-11-20T00:00:00"  # the marker moves
    downloads_before = sum(1 for m, p, h in server.requests if p == "/trees.csv" and m == "GET" and
                           "range" not in h)
    second = night(previous_content(first, content_ids))
    full_gets = [h for m, p, h in server.requests if p == "/trees.csv" and m == "GET" and "range" not in h]
    assert len(full_gets) == downloads_before + 1 and full_gets[-1].get("if-none-match") == '"abc"'

    def content(doc):  # type: ignore[no-untyped-def]
        return {f["check"]: f for f in doc["datasets"][0]["findings"] if f["check"] in content_ids}

    kept = content(second)
    assert kept["resource.table-valid"]["details"]["not_modified"] is True
    assert {c: f["status"] for c, f in kept.items()} == {c: f["status"] for c, f in content(first).items()}
    assert kept["resource.table-valid"]["message"] == content(first)["resource.table-valid"]["message"]
