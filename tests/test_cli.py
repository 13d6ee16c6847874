"""The CLI end to end, against the loopback demo emulator and scripted faulty portals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.demo.server import DemoServer
from tests.conftest import auditor

ALLOW = ["--allow-host", "127.0.0.1"]




def report(path: Path) -> dict:
    return json.loads((path / "report.json").read_text("utf-8"))


def validate_schema(doc: dict) -> None:
    assert doc["schema"] == "auditor-report/1"
    assert set(doc["portal"]) >= {"url", "platform", "title", "score", "grade"}
    assert set(doc["run"]) >= {"started", "finished", "version"}
    for ds in doc["datasets"]:
        assert set(ds) >= {"id", "title", "organization", "url", "score", "grade", "dimensions", "findings"}
        for finding in ds["findings"]:
            assert set(finding) >= {"check", "status", "resource", "message", "details"}
            assert finding["status"] in {"pass", "fail", "error", "skip"}
    ids = [d["id"] for d in doc["datasets"]]
    assert ids == sorted(ids)


def test_help_is_fast_and_light() -> None:
    code = ("import sys, auditor.cli; heavy = [m for m in ('pandas', 'great_expectations', 'frictionless', 'httpx', "
            "'pyarrow', 'sqlalchemy')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert "audit" in auditor("--help").stdout


def test_socrata_demo_portal(demo: DemoServer, tmp_path: Path) -> None:
    run = auditor("audit", f"{demo.root}/socrata", "--out", str(tmp_path), *ALLOW)
    assert run.returncode == 0, run.stderr
    doc = report(tmp_path)
    validate_schema(doc)
    assert doc["portal"]["platform"] == "socrata"  # auto-detected
    assert doc["portal"]["title"] == "data.melbourne.vic.gov.au"
    assert len(doc["datasets"]) == 48
    by_id = {d["id"]: {f["check"]: f for f in d["findings"]} for d in doc["datasets"]}
    assert by_id["dxvp-runr"]["resource.url-reachable"]["details"]["kind"] == "broken"
    assert by_id["a945-pqqr"]["resource.url-reachable"]["status"] == "error"
    assert by_id["a945-pqqr"]["resource.url-reachable"]["details"]["kind"] == "blocked"
    assert by_id["ez6b-syvw"]["resource.url-reachable"]["details"]["kind"] == "blocked"
    assert by_id["6cxw-5y4y"]["resource.format-matches"]["details"]["detected"] == "html"
    assert by_id["dxvp-runr"]["dataset.fresh"]["details"]["state"] == "delinquent"
    assert by_id["47ai-9yup"]["dataset.fresh"]["details"]["state"] == "static"
    assert "Portal score" in run.stdout


def test_ckan_demo_portal_json_stdout(demo: DemoServer) -> None:
    run = auditor("audit", f"{demo.root}/ckan", "--platform", "ckan", "--format", "json", *ALLOW)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    validate_schema(doc)
    assert doc["portal"]["title"].startswith("Stadt Zürich")
    assert {d["organization"] for d in doc["datasets"]} == {"Stadt Zürich"}
    findings = [f for d in doc["datasets"] for f in d["findings"]]
    html_csv = [f for f in findings if f["check"] == "resource.format-matches" and f["status"] == "fail"]
    assert [f["details"]["detected"] for f in html_csv] == ["html"]


def test_fail_under_and_sampling(demo: DemoServer, tmp_path: Path) -> None:
    run = auditor("audit", f"{demo.root}/socrata", "--max-datasets", "5", "--fail-under", "99",
                  "--out", str(tmp_path), *ALLOW)
    assert run.returncode == 1
    doc = report(tmp_path)
    assert len(doc["datasets"]) == 5 and doc["portal"]["sampled"] is True
    again = tmp_path / "again"
    auditor("audit", f"{demo.root}/socrata", "--max-datasets", "5", "--out", str(again), *ALLOW)
    assert [d["id"] for d in report(again)["datasets"]] == [d["id"] for d in doc["datasets"]]


def test_check_selection(demo: DemoServer, tmp_path: Path) -> None:
    run = auditor("audit", f"{demo.root}/ckan", "--check", "dataset.license", "--out", str(tmp_path), *ALLOW)
    assert run.returncode == 0
    checks = {f["check"] for d in report(tmp_path)["datasets"] for f in d["findings"]}
    assert checks == {"dataset.license-open"}


@pytest.mark.parametrize("args", [["audit", "not-a-url"], ["audit", "http://127.0.0.1:9/x", "--check", "nope"]])
def test_usage_errors_exit_2_with_one_line(args: list[str]) -> None:
    run = auditor(*args)
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and run.stderr.startswith("auditor: error:")


def test_unreachable_portal(tmp_path: Path) -> None:
    run = auditor("audit", "http://127.0.0.1:9/socrata", "--retries", "0", "--timeout", "2")
    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1 and "connection refused" in run.stderr


def test_html_and_malformed_portals(scripted) -> None:
    html = scripted(lambda m, p, h: (200, {"Content-Type": "text/html"}, b"<html><body>Welcome</body></html>"))
    run = auditor("audit", html.root, "--retries", "0")
    assert run.returncode == 2 and "not a CKAN or Socrata portal" in run.stderr
    broken = scripted(lambda m, p, h: (200, {"Content-Type": "application/json"}, b'{"results": ['))
    run = auditor("audit", broken.root, "--platform", "socrata", "--retries", "0")
    assert run.returncode == 2 and "malformed JSON" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_missing_dataset_and_429_storm_are_findings(scripted, tmp_path: Path) -> None:
    catalog = {"results": [
        {"resource": {"id": "aaaa-0001", "name": "Gone", "type": "dataset"}, "metadata": {}},
        {"resource": {"id": "aaaa-0002", "name": "Throttled", "type": "dataset"}, "metadata": {}},
    ], "resultSetSize": 2}
    missing = b'{"code":"dataset.missing","error":true,"message":"Not found"}'

    def respond(method: str, path: str, headers: dict) -> tuple[int, dict, bytes]:
        if path.startswith("/api/catalog/v1"):
            return 200, {"Content-Type": "application/json"}, json.dumps(catalog).encode()
        if path == "/api/views/aaaa-0001.json":
            return 404, {"Content-Type": "application/json"}, missing
        return 429, {"Retry-After": "0"}, b"slow down"

    server = scripted(respond)
    run = auditor("audit", server.root, "--platform", "socrata", "--retries", "2", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    by_id = {d["id"]: {f["check"]: f for f in d["findings"]} for d in report(tmp_path)["datasets"]}
    assert by_id["aaaa-0001"]["dataset.record-readable"]["status"] == "fail"
    assert by_id["aaaa-0002"]["dataset.record-readable"]["status"] == "error"
    assert by_id["aaaa-0002"]["resource.url-reachable"]["details"]["kind"] == "blocked"
    # Retries happened: 1 try + 2 retries on the throttled view.
    assert sum(1 for m, p, h in server.requests if p == "/api/views/aaaa-0002.json") == 3


def test_app_token_reaches_the_portal(scripted) -> None:
    catalog = json.dumps({"results": [], "resultSetSize": 0}).encode()
    server = scripted(lambda m, p, h: (200, {"Content-Type": "application/json"}, catalog))
    run = subprocess.run([sys.executable, "-m", "auditor", "audit", server.root, "--platform", "socrata"],
                         capture_output=True, text=True, check=False,
                         env={**__import__("os").environ, "AUDITOR_APP_TOKEN": "tok123"})
    assert run.returncode == 0, run.stderr
    assert all(h.get("x-app-token") == "tok123" for m, p, h in server.requests)
    assert "tok123" not in run.stdout


def test_demo_command(tmp_path: Path) -> None:
    run = auditor("demo", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    validate_schema(report(tmp_path / "socrata"))
    validate_schema(report(tmp_path / "ckan"))
    assert run.stdout.count("Portal score") == 2
