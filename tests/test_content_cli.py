"""Content checks in the CLI: ``auditor validate`` on files and URLs, suites, audits that read files."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.demo.server import DemoServer
from tests.conftest import Responder, ScriptedServer, auditor

CSV = Path(__file__).with_name("fixtures") / "csv"
ALLOW = ["--allow-host", "127.0.0.1"]




def findings(doc: dict) -> dict[str, dict]:
    return {f["check"]: f for f in doc["findings"]}


def test_validate_a_local_file_as_json(tmp_path: Path) -> None:
    run = auditor("validate", str(CSV / "chicago_crimes_homicides_head3000_duplicate_case_numbers.csv"),
                  "--format", "json", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert doc == json.loads((tmp_path / "validate.json").read_text("utf-8"))
    assert doc["schema"] == "auditor-validate/1" and doc["file"]["rows"] == 3000
    by = findings(doc)
    assert by["resource.unique-identifier"]["status"] == "fail"
    assert "Case Number" in by["resource.unique-identifier"]["message"]
    assert by["resource.unique-identifier"]["level"] == "error"
    assert by["resource.table-valid"]["status"] == "pass"
    assert by["resource.coordinates-valid"]["status"] == "pass"
    # The same finding shape as an audit report.
    assert set(by["resource.table-valid"]) >= {"check", "status", "resource", "message", "dimension", "weight",
                                               "value", "details"}


def test_fail_on_levels_for_pipelines() -> None:
    path = str(CSV / "boston_311_service_requests_2022_sample100_placeholder_latlon.csv")
    # Placeholder coordinates are a warning: --fail-on error passes, --fail-on warning fails.
    assert auditor("validate", path, "--fail-on", "error").returncode == 0
    warned = auditor("validate", path, "--fail-on", "warning")
    assert warned.returncode == 1 and "coordinates-valid" in warned.stdout
    broken = auditor("validate", str(CSV / "chicago_crimes_homicides_head3000_duplicate_case_numbers.csv"),
                     "--fail-on", "error")
    assert broken.returncode == 1


def test_encoding_reported_once_not_as_a_flood(tmp_path: Path) -> None:
    src = CSV / "nhs_inpatients_mha_2010-11_utf16le_bom_padded.csv"
    run = auditor("validate", str(src), "--format", "json")
    by = findings(json.loads(run.stdout))
    assert by["resource.text-encoding"]["status"] == "fail"
    assert "UTF-16LE" in by["resource.text-encoding"]["message"]
    assert by["resource.table-valid"]["details"]["errors"] == {"type-error": 1}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<!DOCTYPE html><html><head><title>Login</title></head><body>sign in</body></html>", "HTML page"),
        (b"", "empty"),
        (bytes(range(256)) * 50, "binary"),
    ],
)
def test_bad_files_fail_with_the_cause(tmp_path: Path, body: bytes, words: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(body)
    run = auditor("validate", str(path), "--format", "json", "--fail-on", "error")
    assert run.returncode == 1
    by = findings(json.loads(run.stdout))
    assert by["resource.table-valid"]["status"] == "fail" and words in by["resource.table-valid"]["message"]
    assert by["resource.completeness"]["status"] == "skip"


def test_a_missing_file_is_one_line_and_exit_2_not_a_score(tmp_path: Path) -> None:
    # It used to be "score 0 (D)" with exit 0: a gate in a pipeline passed on a typo.
    run = auditor("validate", str(tmp_path / "nope.csv"), "--format", "json")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip().endswith("nope.csv: no such file") and len(run.stderr.strip().splitlines()) == 1


def test_suite_from_yaml_runs_with_great_expectations(tmp_path: Path) -> None:
    suite = tmp_path / "fares.yaml"
    suite.write_text(
        "suites:\n"
        "  - name: fares\n"
        "    match: {file: ['*taxi*']}\n"
        "    expectations:\n"
        "      - expect_column_values_to_be_between: {column: fare_amount, min_value: 0, max_value: 500}\n"
        "      - expect_column_values_to_not_be_null: {column: vendor_id}\n",
        encoding="utf-8",
    )
    run = auditor("validate", str(CSV / "nyc_tlc_yellow_taxi_trips_2019-01_sample10000_negative_fares.csv"),
                  "--suite", str(suite), "--format", "json")
    assert run.returncode == 0, run.stderr
    f = findings(json.loads(run.stdout))["resource.expectations"]
    assert f["status"] == "fail" and f["value"] == 0.5
    results = f["details"]["suites"][0]["results"]
    fares = next(r for r in results if r["kwargs"]["column"] == "fare_amount")
    assert fares["success"] is False and fares["unexpected_count"] == 9  # 7 negative and 2 above 500
    assert f["details"]["suites"][0]["rows_checked"] == 10000 and f["details"]["suites"][0]["sampled"] is False
    # A suite that matches nothing leaves the check skipped.
    other = auditor("validate", str(CSV / "nyc_311_service_requests_2016-2019_sample5.csv"), "--suite", str(suite),
                    "--format", "json")
    assert findings(json.loads(other.stdout))["resource.expectations"]["status"] == "skip"


def test_sampled_suite_says_how_many_rows_it_saw(tmp_path: Path) -> None:
    suite = tmp_path / "s.yaml"
    suite.write_text("name: any\nexpectations:\n  - expect_column_values_to_not_be_null: {column: vendor_id}\n",
                     encoding="utf-8")
    run = auditor("validate", str(CSV / "nyc_tlc_yellow_taxi_trips_2019-01_sample10000_negative_fares.csv"),
                  "--suite", str(suite), "--sample-rows", "1000", "--format", "json")
    f = findings(json.loads(run.stdout))["resource.expectations"]
    outcome = f["details"]["suites"][0]
    assert outcome["sampled"] is True and 1000 <= outcome["rows_checked"] <= 2000 and outcome["of_rows"] == 10000
    assert "sampled rows of 10,000" in f["message"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("suites: [\n", "line 2"),
        ("suites:\n  - name: x\n    expectations:\n      - expect_colum_values_to_be_unique: {column: id}\n",
         "suites[0].expectations[0]: unknown expectation 'expect_colum_values_to_be_unique'"),
        ("suites:\n  - name: x\n    expectations:\n      - expect_column_values_to_be_between: {column: a, mostly: 3}\n",
         "suites[0].expectations[0]: expect_column_values_to_be_between: mostly"),
        ("suites:\n  - name: x\n    match: {table: x}\n    expectations: []\n", "suites[0].match.table: unknown key"),
        ("suites:\n  - name: x\n    expectations: []\n", "suites[0].expectations: expected a non-empty list"),
    ],
)
def test_bad_suite_is_one_line_naming_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    suite = tmp_path / "bad.yaml"
    suite.write_text(text, encoding="utf-8")
    run = auditor("validate", str(CSV / "nyc_311_service_requests_2016-2019_sample5.csv"), "--suite", str(suite))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and str(suite) in lines[0] and message in lines[0], run.stderr


def test_validate_a_url_downloads_once_and_caps_the_size(scripted: Callable[[Responder], ScriptedServer]) -> None:
    body = (CSV / "nyc_311_service_requests_2011_sample999_blank_latlon.csv").read_bytes()

    def respond(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/csv"}, body

    server = scripted(respond)
    url = f"{server.root}/data/rows.csv"
    run = auditor("validate", url, "--format", "json", "--max-download-mb", "0.2", *ALLOW)
    assert run.returncode == 0, run.stderr
    assert len([r for r in server.requests if r[0] == "GET"]) == 1
    doc = json.loads(run.stdout)
    table = findings(doc)["resource.table-valid"]
    assert table["details"]["truncated"] is True and table["details"]["bytes_read"] <= 200_000
    assert "only the first" in table["message"]
    assert table["details"]["errors"] == {}  # the cut falls on a row boundary: no spurious broken row


def test_gzip_body_is_decompressed_within_the_cap(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"id,value\n")
        for i in range(400_000):
            fh.write(b"%d,1\n" % i)
    run = auditor("validate", str(path), "--format", "json", "--max-download-mb", "1")
    f = findings(json.loads(run.stdout))["resource.table-valid"]
    assert f["details"]["truncated"] is True and f["details"]["rows"] < 400_000


def test_audit_reads_files_and_skips_them_with_no_content(demo: DemoServer, tmp_path: Path) -> None:
    run = auditor("audit", f"{demo.root}/socrata", "--out", str(tmp_path), *ALLOW)
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    by_id = {d["id"]: {f["check"]: f for f in d["findings"]} for d in doc["datasets"]}
    # The sign-in page served as CSV, the placeholder point, CR line endings, UTF-16.
    assert "HTML page" in by_id["6cxw-5y4y"]["resource.table-valid"]["message"]
    assert by_id["cawe-uats"]["resource.coordinates-valid"]["details"]["pairs"][0]["problems"]["placeholder"]["rows"] == 19
    assert by_id["irqv-hjr4"]["resource.text-encoding"]["status"] == "fail"
    assert by_id["47ai-9yup"]["resource.text-encoding"]["details"]["encoding"] == "UTF-16LE with BOM"
    assert by_id["a945-pqqr"]["resource.table-valid"]["status"] == "error"  # blocked download: not judged
    dims = [d["dimensions"].get("data_quality") for d in doc["datasets"]]
    assert any(v is not None for v in dims)
    off = auditor("audit", f"{demo.root}/socrata", "--no-content", "--format", "json", *ALLOW)
    doc_off = json.loads(off.stdout)
    statuses = {f["status"] for d in doc_off["datasets"] for f in d["findings"] if f["check"] == "resource.table-valid"}
    assert statuses == {"skip"}


def test_demo_suite_runs_in_the_demo(tmp_path: Path) -> None:
    run = auditor("demo", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "socrata" / "report.json").read_text("utf-8"))
    taxi = next(d for d in doc["datasets"] if d["id"] == "tq3k-d7n7")
    f = {x["check"]: x for x in taxi["findings"]}["resource.expectations"]
    assert f["status"] in ("pass", "fail") and f["details"]["suites"][0]["suite"] == "taxi trips"


def test_no_temporary_files_left_behind(demo: DemoServer, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    suite = tmp_path / "s.yaml"
    suite.write_text("name: any\nexpectations:\n  - expect_table_row_count_to_be_between: {min_value: 1}\n",
                     encoding="utf-8")
    os.environ["AUDITOR_TEST_TMP"] = str(scratch)
    try:
        run = auditor("audit", f"{demo.root}/ckan", "--format", "json", "--suite", str(suite), *ALLOW)
        assert run.returncode == 0, run.stderr
        assert '"resource.expectations"' in run.stdout and '"suite": "any"' in run.stdout
        auditor("validate", str(CSV / "fco_services_spend_may2011_cr_line_endings.csv"), "--suite", str(suite))
    finally:
        del os.environ["AUDITOR_TEST_TMP"]
    assert list(scratch.iterdir()) == []


def _city_rows(n: int, start: int = 0) -> list[list[str]]:
    rows = []
    for i in range(start, start + n):
        rows.append([str(100000 + i), f"2023-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}T10:{i % 60:02d}:00",
                     f"{40.60 + (i % 97) * 0.003:.5f}", f"{-73.95 - (i % 89) * 0.003:.5f}",
                     ["Noise", "Parking", "Heat"][i % 3], f"Street {i % 40}"])
    return rows


HEADER = ["request_id", "created_date", "latitude", "longitude", "complaint_type", "address"]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def _defect_files() -> dict[str, bytes]:
    base = _city_rows(300)
    files = {"clean": _csv(base), "clean2": _csv(_city_rows(250, 5000))}
    dup = [list(r) for r in base]
    for i in (50, 120, 200):
        dup[i][0] = dup[i - 1][0]
    files["duplicates"] = _csv(dup)
    coords = [list(r) for r in base]
    for i in range(40, 70):  # a geocoder's default point on 30 rows
        coords[i][2], coords[i][3] = "40.71278", "-74.00594"
    coords[10][2], coords[10][3] = "0", "0"
    coords[11][2] = "140.7"
    files["coordinates"] = _csv(coords)
    dates = [list(r) for r in base]
    for i in (5, 6, 7, 8):
        dates[i][1] = "1900-01-01T00:00:00"
    dates[9][1] = "2109-03-01T10:00:00"
    files["dates"] = _csv(dates)
    files["empty_column"] = _csv([[*r, ""] for r in base], [*HEADER, "resolution"])
    blank = _csv(base).decode().splitlines()
    blank.insert(100, "")
    blank.insert(150, ",,,,,")
    files["blank_rows"] = ("\n".join(blank) + "\n").encode()
    late = [list(r) for r in base]
    late[260][5], late[280][5] = "Straße 7", "Café 39"  # the first accented byte after 10 KB
    files["late_cp1252"] = _csv(late).decode().encode("cp1252")
    assert files["late_cp1252"].index(b"\xdf") > 10_000
    return files


def test_independent_portal_with_known_defects(scripted: Callable[[Responder], ScriptedServer], tmp_path: Path) -> None:
    files = _defect_files()
    root: list[str] = []

    def package(name: str) -> dict:
        return {"id": f"pkg-{name}", "name": name, "title": name.replace("_", " "), "notes": "x" * 200,
                "license_id": "cc-by", "metadata_modified": "2026-11-01T00:00:00",
                "organization": {"name": "dept", "title": "Department"},
                "resources": [{"id": f"res-{name}", "name": f"{name}.csv", "format": "CSV",
                               "url": f"{root[0]}/files/{name}.csv"}]}

    def respond(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/api/3/action/package_search"):
            body = {"success": True, "result": {"count": len(files), "results": [package(n) for n in sorted(files)]}}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
        if path.startswith("/files/"):
            return 200, {"Content-Type": "text/csv"}, files[path.split("/")[-1][:-4]]
        return 404, {"Content-Type": "application/json"}, b'{"success": false}'

    server = scripted(respond)
    root.append(server.root)
    run = auditor("audit", server.root, "--platform", "ckan", "--out", str(tmp_path), *ALLOW)
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    got = {d["id"].removeprefix("pkg-"): {f["check"]: f for f in d["findings"]} for d in doc["datasets"]}
    content = ("resource.table-valid", "resource.text-encoding", "resource.unique-identifier",
               "resource.coordinates-valid", "resource.dates-plausible", "resource.completeness")
    expected_failures = {
        "duplicates": {"resource.unique-identifier"},
        "coordinates": {"resource.coordinates-valid"},
        "dates": {"resource.dates-plausible"},
        "empty_column": {"resource.completeness"},
        "blank_rows": {"resource.table-valid"},
        "late_cp1252": {"resource.text-encoding"},
        "clean": set(),
        "clean2": set(),
    }
    for name, expected in expected_failures.items():
        failing = {c for c in content if got[name][c]["status"] == "fail"}
        assert failing == expected, (name, {c: got[name][c]["message"] for c in failing})
        passing = {c for c in content if got[name][c]["status"] == "pass"}
        assert passing == set(content) - expected, name  # every check judged, none skipped
    coords = got["coordinates"]["resource.coordinates-valid"]["details"]["pairs"][0]["problems"]
    assert coords["placeholder"]["rows"] == 30 and coords["zero_zero"]["rows"] == 1
    assert coords["out_of_range"]["rows"] == 1
    dates = got["dates"]["resource.dates-plausible"]["details"]["columns"][0]["problems"]
    assert dates["sentinel"]["values"] == {"1900-01-01": 4} and dates["future"]["rows"] == 1
    assert got["duplicates"]["resource.unique-identifier"]["details"]["columns"][0]["duplicated_values"] == 3
    assert got["blank_rows"]["resource.table-valid"]["details"]["errors"] == {"blank-row": 2}
    assert got["late_cp1252"]["resource.text-encoding"]["details"]["encoding"] == "Windows-1252"
    assert got["late_cp1252"]["resource.table-valid"]["status"] == "pass"
