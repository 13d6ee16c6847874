"""Hostile portals: every fault of tests/hostile.py, and the bounds the auditor keeps on them.

Each audit runs in a child process under an address-space limit, with its own temporary
folder and a history store, exactly as ``auditor audit`` runs for a user. The expectations
are what a data officer would need to read in the report: which dataset, which file, and
what went wrong in plain words.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.hostile import Canary, HostileServer, Plan, bomb

#: Address space the child may map: tight enough to catch reading a bomb or an endless body
#: into memory, loose enough for pyarrow's and jemalloc's reservations (the audit below also
#: passes under 1 GB).
MEMORY_LIMIT = 1536 << 20
#: Resident memory the audit of every fault at once may peak at.
RSS_BOUND_MB = 700
#: Per-request timeout given to the audits, and the wall-time bound it implies.
TIMEOUT = 2
WALL_BOUND = 120.0
TOKEN = "tok-9f8e7d6c5b4a-hostile"

_RUNNER = """
import atexit, resource, runpy, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
sys.argv[0] = "auditor"
runpy.run_module("auditor", run_name="__main__")
"""


@dataclass
class Run:
    """One audit in a child process."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    tmp: Path
    db: Path
    out: Path

    def doc(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    def findings(self, dataset_id: str) -> dict[str, dict[str, Any]]:
        for ds in self.doc()["datasets"]:
            if ds["id"] == dataset_id:
                return {f["check"]: f for f in ds["findings"]}
        raise AssertionError(f"{dataset_id} not in the report")


def audit(root: str, base: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``auditor audit ROOT --format json`` in a child with a memory limit and its own TMPDIR."""
    tmp, out = base / "tmp", base / "out"
    tmp.mkdir(parents=True, exist_ok=True)
    db = base / "history.sqlite"
    rss = base / "maxrss"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(rss), "audit", root, "--format", "json", "--timeout", str(TIMEOUT),
         "--retries", "1", "--max-download-mb", "20", "--db", f"sqlite:///{db}", "--out", str(out), *args],
        capture_output=True, text=True, preexec_fn=limit, timeout=600,
        env={**os.environ, "TMPDIR": str(tmp), **(env or {})},
    )
    seconds = time.monotonic() - started
    peak = int(rss.read_text()) / 1024 if rss.exists() else float("nan")
    return Run(proc.returncode, proc.stdout, proc.stderr, seconds, peak, tmp, db, out)


# -- faults on file URLs -------------------------------------------------------------------------

#: A failing link is an ERROR until it has failed on ``broken_after`` nights, then a FAIL.
BROKEN = {"fail", "error"}
#: fault -> (check, statuses, what the message must say)
FILE_FAULTS: dict[str, tuple[str, set[str], str]] = {
    "throttle-retry-after": ("resource.url-reachable", {"error"}, r"HTTP 429: the server is throttling"),
    "throttle-no-retry-after": ("resource.url-reachable", {"error"}, r"HTTP 429: the server is throttling"),
    "http-500": ("resource.url-reachable", BROKEN, r"HTTP 500: server error"),
    "http-502": ("resource.url-reachable", BROKEN, r"HTTP 502: server error"),
    "http-503": ("resource.url-reachable", BROKEN, r"HTTP 503: server error"),
    "reset": ("resource.table-valid", {"error"}, r"reset the connection in the middle"),
    "stall": ("resource.url-reachable", BROKEN, r"no answer within 2 s \(timed out\)"),
    "stall-body": ("resource.table-valid", {"error"}, r"stopped sending in the middle"),
    "trickle": ("resource.table-valid", {"error"}, r"sends too slowly"),
    "short-body": ("resource.table-valid", {"error"}, r"closed the connection before the whole answer"),
    "huge-length": ("resource.table-valid", {"pass", "fail"}, r"only the first 20 MB of 5,000 MB checked"),
    "endless-chunked": ("resource.table-valid", {"pass", "fail"}, r"only the first 20 MB checked"),
    "gzip-encoding-bomb": ("resource.table-valid", {"error"}, r"compression bomb"),
    "gzip-file-bomb": ("resource.table-valid", {"error"}, r"compression bomb"),
    "xlsx-bomb": ("resource.table-valid", {"fail"}, r"would inflate to [\d,]+ MB; not opened"),
    "redirect-loop": ("resource.url-reachable", BROKEN, r"redirect loop"),
    "html-200": ("resource.table-valid", {"fail"}, r"an HTML page, not a table"),
    "invalid-utf8": ("resource.text-encoding", {"fail"}, r"not UTF-8 \(first non-UTF-8 byte on line 2,002\)"),
    "one-line-100mb": ("resource.table-valid", {"fail"}, r"no line break in the first"),
    "malformed-json": ("resource.format-matches", {"fail"}, r"declared CSV but serves json"),
    "deep-json": ("resource.table-valid", {"fail"}, r"JSON, not a table"),
}

#: Resource URLs that must never be fetched: dataset id -> URL (CANARY is the canary's root).
FORBIDDEN = {
    "ssrf-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "ssrf-private": "http://10.1.2.3/data.csv",
    "ssrf-localhost": "CANARY_LOCALHOST/x.csv",
    "ssrf-decimal-ip": "CANARY_DECIMAL/x.csv",
    "ssrf-zero": "CANARY_ZERO/x.csv",
    "ssrf-mapped-v6": "CANARY_V6/x.csv",
    "ssrf-other-port": "CANARY/x.csv",
    "ssrf-redirect-canary": "redirect?to=" + quote("CANARY/in.csv"),
    "ssrf-redirect-metadata": "redirect?to=" + quote("http://169.254.169.254/latest/meta-data/"),
}


@pytest.fixture(scope="module")
def file_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    bomb("gzip"), bomb("xlsx")  # built before the clock starts: the server must not stall on them
    base = tmp_path_factory.mktemp("file-faults")
    with Canary() as canary:
        port = canary.root.rsplit(":", 1)[1]
        names = {"CANARY_LOCALHOST": f"http://localhost:{port}", "CANARY_DECIMAL": f"http://2130706433:{port}",
                 "CANARY_ZERO": f"http://0.0.0.0:{port}", "CANARY_V6": f"http://[::ffff:127.0.0.1]:{port}",
                 "CANARY": canary.root}
        files = {f"fault-{name}": name for name in FILE_FAULTS}
        files["fault-ok"] = "ok"
        for dataset_id, url in FORBIDDEN.items():
            for key in sorted(names, key=len, reverse=True):
                url = url.replace(key, names[key]).replace(quote(key), quote(names[key]))
            files[dataset_id] = url
        plan = Plan(files=files, formats={"fault-xlsx-bomb": "XLSX"}, echo_token=True)
        with HostileServer(plan) as server:
            run = audit(f"{server.root}/ckan", base, "--platform", "ckan", "--app-token", TOKEN)
            yield run, server, canary


def test_the_run_completes_within_its_bounds(file_run: Any) -> None:
    run, _server, _canary = file_run
    assert run.code in (0, 1), run.stderr
    doc = run.doc()
    assert len(doc["datasets"]) == len(FILE_FAULTS) + len(FORBIDDEN) + 1
    assert run.seconds < WALL_BOUND, f"{run.seconds:.0f} s"
    assert run.peak_mb < RSS_BOUND_MB, f"{run.peak_mb:.0f} MB"
    assert os.listdir(run.tmp) == [], "temporary files left behind"


@pytest.mark.parametrize("fault", sorted(FILE_FAULTS))
def test_each_file_fault_is_named_in_the_report(file_run: Any, fault: str) -> None:
    run, _server, _canary = file_run
    check, statuses, pattern = FILE_FAULTS[fault]
    finding = run.findings(f"fault-{fault}")[check]
    assert finding["status"] in statuses, finding
    assert re.search(pattern, finding["message"]), finding["message"]


def test_the_healthy_file_next_to_the_faults_passes(file_run: Any) -> None:
    run, _server, _canary = file_run
    found = run.findings("fault-ok")
    for check in ("resource.url-reachable", "resource.table-valid", "resource.text-encoding"):
        assert found[check]["status"] == "pass", found[check]


@pytest.mark.parametrize("dataset_id", sorted(FORBIDDEN))
def test_forbidden_addresses_are_refused_with_a_reason(file_run: Any, dataset_id: str) -> None:
    run, _server, _canary = file_run
    finding = run.findings(dataset_id)["resource.url-reachable"]
    assert finding["status"] == "error" and finding["details"]["kind"] == "forbidden", finding
    assert re.search(r"not fetched: .* is (a loopback|a link-local|a private|the unspecified)", finding["message"])


def test_nothing_reached_the_canary(file_run: Any) -> None:
    _run, _server, canary = file_run
    assert canary.touched == 0


def test_the_token_went_to_the_portal_only_and_is_in_no_output(file_run: Any) -> None:
    run, server, _canary = file_run
    api = [h for m, p, h in server.hits if p.startswith("/ckan/")]
    files = [h for m, p, h in server.hits if p.startswith("/files/")]
    assert api and all(h.get("X-App-Token") == TOKEN for h in api)
    # Same host, same port: files served by the portal itself may carry it; the canary saw nothing.
    assert files
    outputs = [run.stdout, run.stderr, (run.out / "report.json").read_text(), run.db.read_bytes().decode("latin-1")]
    assert all(TOKEN not in text for text in outputs)
    assert "[redacted]" in run.stdout  # the portal echoed it into descriptions; masked


def test_the_history_store_holds_the_whole_run(file_run: Any) -> None:
    run, _server, _canary = file_run
    doc = run.doc()
    with sqlite3.connect(run.db) as db:
        runs = db.execute("select id, status, datasets from runs").fetchall()
        assert [(status, n) for _id, status, n in runs] == [("complete", len(doc["datasets"]))]
        stored = db.execute("select count(*) from findings").fetchone()[0]
    assert stored == sum(len(ds["findings"]) for ds in doc["datasets"])


# -- faults on metadata requests (Socrata views) -----------------------------------------------

#: fault -> what dataset.record-readable must say
VIEW_FAULTS: dict[str, str] = {
    "throttle-retry-after": r"HTTP 429 from .*: slow down",
    "http-500": r"HTTP 500 from",
    "http-503": r"HTTP 503 from",
    "reset": r"reset the connection in the middle",
    "stall": r"no answer within 2 s",
    "trickle": r"sends too slowly",
    "short-body": r"closed the connection before the whole answer",
    "huge-length": r"the answer is 5,000 MB \(Content-Length\), more than the 64 MB an API answer may take",
    "endless-chunked": r"grew past 64 MB without ending",
    "gzip-encoding-bomb": r"grew past 64 MB without ending",
    "redirect-loop": r"redirect loop",
    "html-200": r"a web page \(HTML\) instead of JSON",
    "malformed-json": r"malformed JSON from .*line 1 column 50",
    "deep-json": r"JSON nested too deeply",
    "wrong-shape-json": r"views metadata has no id",
    "invalid-utf8": r"malformed JSON",
}


@pytest.fixture(scope="module")
def view_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    bomb("gzip")
    views = {f"view-{name}": name for name in VIEW_FAULTS}
    views["view-ok"] = "ok"
    with HostileServer(Plan(views=views, echo_token=True)) as server:
        run = audit(f"{server.root}/socrata", tmp_path_factory.mktemp("view-faults"), "--platform", "socrata",
                    "--app-token", TOKEN)
        yield run


def test_metadata_faults_leave_the_run_whole(view_run: Run) -> None:
    assert view_run.code in (0, 1), view_run.stderr
    assert len(view_run.doc()["datasets"]) == len(VIEW_FAULTS) + 1
    assert view_run.seconds < WALL_BOUND and view_run.peak_mb < RSS_BOUND_MB
    assert os.listdir(view_run.tmp) == []
    assert TOKEN not in view_run.stdout and TOKEN not in (view_run.out / "report.json").read_text()


@pytest.mark.parametrize("fault", sorted(VIEW_FAULTS))
def test_each_metadata_fault_is_named(view_run: Run, fault: str) -> None:
    finding = view_run.findings(f"view-{fault}")["dataset.record-readable"]
    assert finding["status"] == "error" and re.search(VIEW_FAULTS[fault], finding["message"]), finding
    # The catalogue entry is still scored: one unreadable record is not a lost dataset.
    assert any(f["status"] == "pass" for f in view_run.findings(f"view-{fault}").values())


# -- faults in the catalogue ---------------------------------------------------------------------


def _catalogue(tmp: Path, mode: str, total: int | None = None, n: int = 25) -> tuple[Run, HostileServer]:
    files = {f"ds-{i:06d}": "ok" for i in range(n)}
    with HostileServer(Plan(files=files, catalogue=mode, total=total)) as server:
        run = audit(f"{server.root}/ckan", tmp, "--platform", "ckan", "--no-content")
    return run, server


def test_a_catalogue_that_never_ends_is_cut_at_its_announced_size(tmp_path: Path) -> None:
    run, server = _catalogue(tmp_path, "endless", total=25)
    assert run.code in (0, 1), run.stderr
    doc = run.doc()
    assert len(doc["datasets"]) == 25
    pages = [p for _m, p, _h in server.hits if "package_search" in p]
    assert len(pages) <= 3, pages  # one page of 1,000 is asked for; nothing past the count


def test_a_catalogue_that_repeats_its_page_stops(tmp_path: Path) -> None:
    run, server = _catalogue(tmp_path, "repeat", total=5000, n=1200)
    assert run.code in (0, 1), run.stderr
    assert len(run.doc()["datasets"]) == 1000
    assert len([p for _m, p, _h in server.hits if "package_search" in p]) == 2


@pytest.mark.parametrize("mode, reason", [("fail-page-2", r"HTTP 503"), ("stall-page-2", r"timed out")])
def test_a_catalogue_failing_mid_crawl_gives_an_incomplete_run(tmp_path: Path, mode: str, reason: str) -> None:
    first, _ = _catalogue(tmp_path / "night1", "", n=1200)
    assert first.code in (0, 1) and len(first.doc()["datasets"]) == 1200
    # The second night the catalogue fails after its first page; the same store is used.
    second_dir = tmp_path / "night2"
    second_dir.mkdir()
    (second_dir / "history.sqlite").write_bytes((tmp_path / "night1" / "history.sqlite").read_bytes())
    run, _ = _catalogue(second_dir, mode, n=1200)
    assert run.code in (0, 1), run.stderr
    doc = run.doc()
    assert len(doc["datasets"]) == 1000
    assert re.search(r"stopped answering after 1,000 datasets: .*" + reason, doc["portal"]["catalogue_incomplete"])
    # Stored, marked incomplete, and nothing reported as removed because it was not reached.
    assert doc["changes"]["datasets_removed"] == []
    with sqlite3.connect(run.db) as db:
        statuses = [s for (s,) in db.execute("select status from runs order by id")]
        stored = db.execute("select count(*) from datasets where run_id = (select max(id) from runs)").fetchone()
    assert statuses == ["complete", "incomplete"] and stored[0] == 1000


@pytest.mark.parametrize("fault, message", [
    ("html", r"portal unreadable: .*(HTML|web page)"),
    ("stall", r"portal unreadable: .*timed out"),
])
def test_a_portal_unreadable_from_the_start_is_one_line_and_a_failed_run(tmp_path: Path, fault: str,
                                                                          message: str) -> None:
    plan = Plan(files={"a": "ok"}, catalogue=f"first-{fault}")
    with HostileServer(plan) as server:
        run = audit(f"{server.root}/ckan", tmp_path, "--platform", "ckan")
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), run.stderr
    with sqlite3.connect(run.db) as db:
        assert db.execute("select status from runs").fetchall() == [("failed",)]
        assert db.execute("select count(*) from datasets").fetchone() == (0,)
