"""The terminal scoreboard fits, colours only where wanted; validate refuses what it cannot
read in one line; a ZIP is judged by its contents and an OGC service by its capabilities."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.model import Dataset, Dimension, Finding, Portal, Resource, Score, Status
from auditor.reports import render_console, wants_colour
from auditor.result import AuditResult, DatasetResult
from tests.conftest import cli


def _result() -> AuditResult:
    long = "Building permits issued by the Department of Buildings since 2006, with contractor and fee details " * 2
    rows = []
    for i in range(20):
        ds = Dataset(id=f"abcd-{i:04d}", title=long, organization="Department of " + "Transportation " * 5)
        f = Finding("dataset.fresh", Dimension.TIMELINESS, 3, Status.FAIL, ds.id, "long overdue (delinquent): " + long,
                    value=0.0)
        rows.append(DatasetResult(ds, [f], Score(40.0 + i, "D", {}, {"fail": 1})))
    return AuditResult(portal=Portal("https://data.cityofchicago.org/" + "x" * 120, "socrata", "City " * 30),
                       started=datetime(2026, 1, 1, tzinfo=UTC), finished=datetime(2026, 1, 1, tzinfo=UTC),
                       datasets=rows, score=Score(50.0, "C", {"timeliness": 40.0}, {"fail": 20}),
                       departments={"Department of " + "Transportation " * 5: Score(50.0, "C", {}, {})},
                       catalogue_size=20, sampled=False, notes=["a note " * 40], incomplete="")


@pytest.mark.parametrize("width", [80, 100, 120, 160])
def test_the_scoreboard_fits_the_terminal(width: int) -> None:
    lines: list[str] = []
    render_console(_result(), lines.append, width=width)
    assert lines and max(len(line) for line in lines) <= width


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wants_colour(Tty()) and not wants_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(Tty())
    lines: list[str] = []
    render_console(_result(), lines.append, width=100, colour=True)
    assert any("\x1b[31;1m" in line for line in lines)
    plain: list[str] = []
    render_console(_result(), plain.append, width=100)
    assert not any("\x1b[" in line for line in plain)


@pytest.mark.parametrize(("target", "said"), [
    ("/no/such/file.csv", "no such file"), ("ftp://files.example/x.csv", "only http(s) URLs"),
])
def test_validate_refuses_what_it_cannot_read_in_one_line(target: str, said: str) -> None:
    run = cli("validate", target)
    assert run.returncode == 2 and said in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_validate_of_a_directory_or_a_pipe_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for target, said in ((tmp_path, "is a directory"), (fifo, "not a regular file")):
        run = cli("validate", str(target))
        assert run.returncode == 2 and said in run.stderr


def test_a_failing_check_is_not_labelled_as_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text("id,name\n1,a\n1,b\n2,c\n")
    out = cli("validate", str(path)).stdout
    assert "[error]" not in out and "FAIL" in out


def test_the_progress_line_names_the_stage_and_time_left() -> None:
    from auditor.cli.common import Progress

    assert "reading the catalogue" in Progress.line(10, None, 2.0)
    line = Progress.line(25, 100, 30.0)
    assert "checking datasets" in line and "25/100" in line and "about 1m30s left" in line


# -- formats ------------------------------------------------------------------------------------

def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, b"x" * 10)
    return buf.getvalue()


@pytest.mark.parametrize(("names", "fmt", "status"), [
    (("parcels.shp", "parcels.shx", "parcels.dbf", "parcels.prj"), "SHP", "fail"),
    (("2019.csv", "2020.csv", "readme.txt"), "CSV", "pass"),
    (("report.pdf",), "ZIP", "fail"),
])
def test_a_zip_is_judged_by_what_it_holds(scripted, names: tuple[str, ...], fmt: str, status: str) -> None:  # type: ignore[no-untyped-def]
    from auditor import registry
    from auditor.check import CheckContext
    from auditor.http import HttpClient, HttpSettings

    body = _zip(*names)

    def respond(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        wanted = headers.get("range", "")
        if wanted.startswith("bytes=-"):
            tail = body[-int(wanted[7:]):]
            return 206, {"Content-Range": f"bytes {len(body) - len(tail)}-{len(body) - 1}/{len(body)}"}, tail
        return 200, {}, body

    server = scripted(respond)
    res = Resource(id="r", dataset_id="d", url=f"{server.root}/data.zip", format="ZIP", kind="file")
    with HttpClient(HttpSettings(retries=0, allow_addresses=("127.0.0.1",))) as http:
        ctx = CheckContext(now=datetime(2026, 1, 1, tzinfo=UTC), http=http)
        (finding,) = registry.get("resource.format-open")().run(res, Dataset("d", "D", resources=(res,)), ctx)
    assert finding.status.value == status and finding.details["format"] == fmt


def test_an_ogc_service_is_asked_for_its_capabilities(scripted) -> None:  # type: ignore[no-untyped-def]
    from auditor import registry
    from auditor.check import CheckContext
    from auditor.http import HttpClient, HttpSettings

    def respond(method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if "REQUEST=GetCapabilities" in path:
            return 200, {"Content-Type": "application/xml"}, b"<WMS_Capabilities/>"
        return 400, {}, b"missing parameter REQUEST"

    server = scripted(respond)
    res = Resource(id="r", dataset_id="d", url=f"{server.root}/wms", format="WMS", kind="api")
    with HttpClient(HttpSettings(retries=0, allow_addresses=("127.0.0.1",))) as http:
        ctx = CheckContext(now=datetime(2026, 1, 1, tzinfo=UTC), http=http)
        (finding,) = registry.get("resource.url-reachable")().run(res, Dataset("d", "D", resources=(res,)), ctx)
        (opened,) = registry.get("resource.format-open")().run(res, Dataset("d", "D", resources=(res,)), ctx)
    assert finding.status.value == "pass" and "GetCapabilities" in finding.message
    assert opened.status.value == "pass"
    assert any("REQUEST=GetCapabilities" in path for _, path, _ in server.requests)


def test_diff_names_titles_fixes_plurals_and_links_to_watch() -> None:
    from auditor.cli.audit import render_changes
    from auditor.report import report_dict
    from auditor.store import diff_reports

    def run(findings: list[Finding]) -> dict:
        ds = Dataset(id="trees", title="Street trees", organization="Parks")
        return report_dict(AuditResult(portal=Portal("https://x", "ckan"), started=datetime(2026, 11, 21, tzinfo=UTC),
                                       finished=datetime(2026, 11, 21, tzinfo=UTC),
                                       datasets=[DatasetResult(ds, findings, Score(50.0, "C", {}, {}))],
                                       score=Score(50.0, "C", {}, {}), departments={}, catalogue_size=1, sampled=False))

    failing = Finding("resource.url-reachable", Dimension.ACCESSIBILITY, 3, Status.ERROR, "trees",
                      "HTTP 404: not found (failing since 2026-11-21, night 1 of 2)", resource_id="r",
                      details={"failing_since": "2026-11-21T02:00:00Z", "failing_nights": 1, "broken_after": 2})
    lic = Finding("dataset.license-open", Dimension.OPENNESS, 3, Status.FAIL, "trees", "no licence declared", value=0.0)
    changes = diff_reports(run([]), run([failing, lic]))
    lines: list[str] = []
    render_changes(changes, lines.append)
    text = "\n".join(lines)
    assert "1 new problem," in text and "Street trees: no licence declared" in text
    assert "fix: Choose an open licence" in text
    assert "To watch: 1 link failing" in text and "counts as broken on night 2" in text
