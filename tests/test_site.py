"""The static report site: every page self-contained, portal text escaped, links resolve."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor import registry
from auditor.config import load_rubric
from auditor.demo.server import DemoServer
from auditor.model import Dataset, Dimension, Finding, Portal, Resource, Score, Status
from auditor.reports.site import publish, safe_name
from auditor.reports.site.publish import csv_cell
from auditor.runner import AuditResult, DatasetResult

HOSTILE = '<script>alert(1)</script>'


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []  # what a browser fetches by itself
        self.links: list[str] = []  # what a person can follow
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.loads.append(a["src"] or "")
        if tag == "img" and a.get("src"):
            self.loads.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text("utf-8"))
    return links


def hostile_result() -> AuditResult:
    res = Resource(id="evil/r", dataset_id="../../etc/passwd", url="javascript:alert(1)", format="CSV", kind="file")
    ds = Dataset(id="../../etc/passwd", title=HOSTILE, organization='Dept "><img src=x onerror=alert(2)>',
                 description="<b>bold</b> & <i>x</i>", url="javascript:alert(3)", resources=(res,))
    findings = [
        Finding("dataset.license-open", Dimension.OPENNESS, 2, Status.FAIL, ds.id, "=HYPERLINK(\"http://x\")"),
        Finding("resource.url-reachable", Dimension.ACCESSIBILITY, 3, Status.PASS, ds.id, HOSTILE, resource_id=res.id,
                value=1.0),
    ]
    plain = Dataset(id="abcd-1234", title="Street trees", organization="Parks", popularity=50)
    return AuditResult(
        portal=Portal("https://data.example.gov", "socrata", title=f"City {HOSTILE}"),
        started=datetime(2026, 11, 22, 2, tzinfo=UTC), finished=datetime(2026, 11, 22, 3, tzinfo=UTC),
        datasets=[DatasetResult(ds, findings, Score(40.0, "D", {"openness": 0.0}, {"fail": 1, "pass": 1})),
                  DatasetResult(plain, [], Score(90.0, "A", {}, {}))],
        score=Score(65.0, "C", {"openness": 50.0}, {}), departments={'Dept "><img src=x onerror=alert(2)>':
                                                                    Score(40.0, "D", {}, {}), "Parks": Score(90.0, "A", {}, {})},
        catalogue_size=2, sampled=False)


def test_hostile_portal_text_is_escaped_and_files_stay_inside(tmp_path: Path) -> None:
    out = tmp_path / "site"
    history = [{"started": "2026-11-20T02:00:00Z", "score": 60.0}, {"started": "2026-11-21T02:00:00Z", "score": 62.5},
               {"started": "2026-11-22T02:00:00Z", "score": 65.0}]
    departments = {"Parks": [("2026-11-20T02:00:00Z", 88.0), ("2026-11-21T02:00:00Z", 90.0)]}
    publish(hostile_result(), out, load_rubric(), registry.all_checks(), history, departments)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert all(not f.startswith("..") and "/../" not in f for f in files)
    assert not (tmp_path / "etc").exists()
    for page in out.rglob("*.html"):
        html = page.read_text("utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
        links = parse(page)
        assert links.scripts <= 1  # only the site's own script
        for target in links.loads:  # nothing is fetched from elsewhere
            assert "://" not in target and not target.startswith("//")
            assert (page.parent / target).resolve().is_file(), target
        for target in links.links:  # every link inside the site resolves
            if "://" in target or target.startswith(("javascript:", "#")):
                assert not target.startswith("javascript:"), target
                continue
            assert (page.parent / target).resolve().is_file(), (page, target)
    index = (out / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "Text version" in index and "<svg" in index  # the trend with its text alternative
    assert "Departments over time" in index and "Parks: 2026-11-20 02:00 88; 2026-11-21 02:00 90." in index
    # Charts people can read: a 0-100 axis, the first and last run times, a value on every point.
    assert ">100</text>" in index and "2026-11-20 02:00" in index and "<title>2026-11-22 02:00 UTC: 65.0</title>" in index
    assert "Most used datasets, weakest first" in index
    dataset_page = out / "datasets" / f"{safe_name('../../etc/passwd')}.html"
    text = " ".join(parse(dataset_page).text)
    from auditor.questions import QUESTIONS

    for question in QUESTIONS.values():
        assert question in text
    assert "For the data officer" in dataset_page.read_text("utf-8")


def test_findings_csv_neutralises_formulas(tmp_path: Path) -> None:
    publish(hostile_result(), tmp_path, load_rubric(), registry.all_checks())
    with (tmp_path / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    messages = [r["message"] for r in rows]
    assert "'=HYPERLINK(\"http://x\")" in messages
    assert all(not m.startswith(("=", "+", "-", "@")) for m in messages)
    assert csv_cell("-1") == "'-1" and csv_cell("ok") == "ok" and csv_cell(None) == ""


def test_badges_and_methodology(tmp_path: Path) -> None:
    publish(hostile_result(), tmp_path, load_rubric(), registry.all_checks())
    badge = (tmp_path / "badges" / "portal.svg").read_text("utf-8")
    assert badge.startswith("<svg") and "65 C" in badge
    methodology = (tmp_path / "methodology.html").read_text("utf-8")
    for cls in registry.all_checks():
        assert cls.id in methodology
    json.loads((tmp_path / "report.json").read_text("utf-8"))


@pytest.mark.parametrize("dataset_id", ["../x", "a/b", ".hidden", "ok-id_1.2", "", "..", "x" * 300, "ü/ö"])
def test_safe_names(dataset_id: str) -> None:
    name = safe_name(dataset_id)
    assert name and "/" not in name and not name.startswith(".") and len(name) <= 80
    assert (Path("/site/datasets") / name).resolve().parent == Path("/site/datasets")


def test_publish_from_the_store_and_audit_html(demo: DemoServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    run = subprocess.run([sys.executable, "-m", "auditor", "audit", f"{demo.root}/ckan", "--no-content", "--db", db,
                          "--format", "html", "--out", str(tmp_path / "out"), "--allow-host", "127.0.0.1"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "site" / "index.html").is_file()
    site = tmp_path / "published"
    pub = subprocess.run([sys.executable, "-m", "auditor", "publish", "--db", db, "--out", str(site)],
                         capture_output=True, text=True, check=False)
    assert pub.returncode == 0, pub.stderr
    index = parse(site / "index.html")
    pages = [link for link in index.links if link.startswith("datasets/")]
    assert len(pages) == 6 and all((site / p).is_file() for p in pages)  # every dataset reachable from the portal page
    # One stored run, one site: the pages published from the store are the pages the audit drew.
    drawn = tmp_path / "out" / "site"
    for page in sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file()):
        assert (drawn / page).read_bytes() == (site / page).read_bytes(), page


def test_format_html_needs_out(demo: DemoServer) -> None:
    run = subprocess.run([sys.executable, "-m", "auditor", "audit", f"{demo.root}/ckan", "--format", "html"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "--out" in run.stderr




def test_an_incomplete_catalogue_is_said_on_the_portal_page(tmp_path: Path) -> None:
    from dataclasses import replace as _replace

    result = _replace(hostile_result(), incomplete="the catalogue stopped answering after 1,000 datasets: HTTP 503 <b>")
    index = publish(result, tmp_path / "site", load_rubric(), registry.all_checks())
    html = index.read_text()
    assert "Incomplete audit:" in html and "HTTP 503 &lt;b&gt;" in html


def test_the_officer_sees_what_was_read_and_where_from(tmp_path: Path) -> None:
    """The dataset page shows the report's ``read`` section: each reading and its field."""
    from auditor.reading import read_dataset
    from auditor.sources.ckan_map import map_package
    from tests.test_reading import real_packages

    dataset = map_package(real_packages("toronto")[0], "https://open.toronto.ca")
    assert dataset is not None
    result = AuditResult(portal=Portal("https://open.toronto.ca", "ckan"), started=datetime(2026, 11, 22, tzinfo=UTC),
                         finished=datetime(2026, 11, 22, tzinfo=UTC), score=Score(None, "", {}, {}), departments={},
                         datasets=[DatasetResult(dataset, [], Score(None, "", {}, {}), read_dataset(dataset))],
                         catalogue_size=1, sampled=False)
    publish(result, tmp_path / "site", load_rubric(), registry.all_checks())
    page = tmp_path / "site" / "datasets" / f"{safe_name(dataset.id)}.html"
    text = " ".join(parse(page).text)
    assert "what the auditor read in the record" in text
    for reading in ("every month (written 'Monthly')", "refresh_rate", "2023-05-01", "last_refreshed",
                    "City Clerk's Office", "owner_division", "maintainer_email"):
        assert reading in text, reading


# -- answers cannot contradict their evidence ---------------------------------------------------

def _finding(check: str, status: Status, resource: str | None = None) -> Finding:
    return Finding(check, Dimension.ACCESSIBILITY, 1.0, status, "d", "m", resource_id=resource,
                   value=1.0 if status == Status.PASS else 0.0 if status == Status.FAIL else None)


def test_the_answers_seen_on_the_demo_portals_are_right() -> None:
    """Each wrong answer seen on the demo portals, now right."""
    from auditor import registry
    from auditor.questions import answers

    asks = {c.id: c.question for c in registry.all_checks()}

    def answer(findings: list[Finding], key: str) -> str:
        return next(a.verdict for a in answers(findings, asks) if a.key == key)

    clean = [_finding(c, Status.PASS, "r") for c in ("resource.table-valid", "resource.completeness")]
    assert answer(clean, "sound") == "yes"  # was "Were data problems found? Yes" in green
    broken_only_file = [_finding("resource.url-reachable", Status.FAIL, "r"),
                        _finding("dataset.record-readable", Status.PASS), _finding("resource.format-open", Status.PASS, "r")]
    assert answer(broken_only_file, "download") == "no"  # was "Partly"
    blocked = [_finding("resource.url-reachable", Status.ERROR, "r")]
    assert answer(blocked, "download") == "unknown"  # was "Yes"
    stale = [_finding("dataset.fresh", Status.FAIL), _finding("dataset.update-frequency-declared", Status.PASS)]
    assert answer(stale, "up_to_date") == "no"  # was "Partly"
    two_files = [_finding("resource.url-reachable", Status.PASS, "a"), _finding("resource.url-reachable", Status.FAIL, "b")]
    assert answer(two_files, "download") == "partly"


@given(st.lists(st.tuples(st.sampled_from(["resource.url-reachable", "resource.format-matches", "dataset.fresh",
                                             "resource.table-valid", "dataset.license-open"]),
                          st.sampled_from(list(Status)), st.sampled_from([None, "a", "b"])), max_size=8))
def test_no_answer_contradicts_the_findings_under_it(spec: list[tuple[str, Status, str | None]]) -> None:
    from auditor import registry
    from auditor.questions import answers

    asks = {c.id: c.question for c in registry.all_checks()}
    for a in answers([_finding(c, s, r) for c, s, r in spec], asks):
        statuses = {f.status for f in a.findings}
        if a.verdict == "yes":
            assert Status.FAIL not in statuses and Status.PASS in statuses
        if a.verdict == "no":
            assert Status.FAIL in statuses and not any(
                f.status == Status.PASS and not any(g.status == Status.FAIL and g.resource_id == f.resource_id
                                                    for g in a.findings) for f in a.findings)
        if a.verdict == "unknown":
            assert not statuses & {Status.PASS, Status.FAIL}
        if a.verdict == "partly":
            assert {Status.PASS, Status.FAIL} <= statuses


def test_every_check_answers_a_question_the_site_asks() -> None:
    from auditor import registry
    from auditor.questions import QUESTIONS

    assert {c.question for c in registry.all_checks()} <= set(QUESTIONS)
    assert all(c.question for c in registry.all_checks())


@pytest.mark.parametrize(("message", "details", "needle"), [
    ("HTTP 404: not found", {"status": 404, "kind": "broken"}, "The file is gone"),
    ("could not check: HTTP 403: a firewall challenge stopped the request", {"status": 403, "kind": "blocked"},
     "firewall challenge"),
    ("could not check: HTTP 429: the server is throttling requests", {"status": 429, "kind": "blocked"}, "throttles"),
    ("no answer within 30 s (timed out)", {"kind": "timeout"}, "does not answer in time"),
    ("host not found: data.example does not exist", {"kind": "broken"}, "does not resolve"),
])
def test_fix_advice_follows_the_cause(message: str, details: dict, needle: str) -> None:
    from auditor import registry

    cls = registry.get("resource.url-reachable")
    finding = Finding(cls.id, Dimension.ACCESSIBILITY, 3.0, Status.FAIL, "d", message, resource_id="r", value=0.0,
                      details=details)
    assert needle in cls.advice(finding)
    html = Finding("resource.format-matches", Dimension.ACCESSIBILITY, 2.0, Status.FAIL, "d",
                   "declared CSV but serves html", resource_id="r", value=0.0)
    assert "web page" in registry.get("resource.format-matches").advice(html)


def test_content_examples_are_shown_with_row_column_and_value(tmp_path: Path) -> None:
    ds = Dataset(id="d1", title="Permits", resources=(Resource(id="r1", dataset_id="d1", url="https://x/p.csv",
                                                                name="permits.csv", format="CSV"),))
    finding = Finding("resource.table-valid", Dimension.DATA_QUALITY, 3.0, Status.FAIL, "d1", "2 type-errors",
                      resource_id="r1", value=0.5,
                      details={"examples": [{"type": "type-error", "row": 12, "field": "amount", "cell": "abc"}]})
    result = AuditResult(portal=Portal("https://x", "ckan"), started=datetime(2026, 1, 1, tzinfo=UTC),
                         finished=datetime(2026, 1, 1, tzinfo=UTC), datasets=[DatasetResult(ds, [finding],
                         Score(50.0, "C", {}, {}))], score=Score(50.0, "C", {}, {}), departments={}, catalogue_size=1,
                         sampled=False)
    publish(result, tmp_path, load_rubric(), registry.all_checks())
    text = " ".join(parse(tmp_path / "datasets" / "d1.html").text)
    assert "row 12, column amount: 'abc'" in text and "permits.csv" in text


def test_the_officer_gets_department_pages_points_and_changes(tmp_path: Path) -> None:
    """Two runs: a tag problem fixed, a licence problem new; the department page lists the
    open problem with its fix and the points the dataset would gain; findings.csv says new
    and fixed; the portal page says what changed since the previous run."""
    from auditor.report import report_dict
    from auditor.scoring import score_findings
    from auditor.store import diff_reports

    rubric = load_rubric()

    def run(findings: list[Finding]) -> AuditResult:
        ds = Dataset(id="trees", title="Street trees", organization="Parks")
        score = score_findings(findings, rubric)
        return AuditResult(portal=Portal("https://x", "ckan"), started=datetime(2026, 11, 22, tzinfo=UTC),
                           finished=datetime(2026, 11, 22, tzinfo=UTC), datasets=[DatasetResult(ds, findings, score)],
                           score=score, departments={"Parks": score}, catalogue_size=1, sampled=False)

    tags_fail = Finding("dataset.tags-present", Dimension.FINDABILITY, 1.0, Status.FAIL, "trees", "no keywords", value=0.0)
    tags_pass = Finding("dataset.tags-present", Dimension.FINDABILITY, 1.0, Status.PASS, "trees", "3 keywords", value=1.0)
    lic_pass = Finding("dataset.license-open", Dimension.OPENNESS, 3.0, Status.PASS, "trees", "open", value=1.0)
    lic_fail = Finding("dataset.license-open", Dimension.OPENNESS, 3.0, Status.FAIL, "trees", "no licence declared",
                       value=0.0)
    before, after = run([tags_fail, lic_pass]), run([tags_pass, lic_fail])
    changes = diff_reports(report_dict(before), report_dict(after))
    publish(after, tmp_path, rubric, registry.all_checks(), changes=changes)
    page = " ".join(parse(tmp_path / "departments" / "Parks.html").text)
    assert "no licence declared" in page and "points for the dataset" in page and "new" in page
    assert "Choose an open licence" in page
    rows = list(csv.DictReader(io.StringIO((tmp_path / "findings.csv").read_text("utf-8"))))
    lic = next(r for r in rows if r["check"] == "dataset.license-open")
    assert lic["since_previous_run"] == "new" and float(lic["points_gained"]) > 0 and lic["fix"]
    assert any(r["since_previous_run"] == "fixed" and r["check"] == "dataset.tags-present" for r in rows)
    index = " ".join(parse(tmp_path / "index.html").text)
    assert "Since the previous run" in index and "1 new problem, 1 fixed" in index
    assert "departments/Parks.html" in parse(tmp_path / "index.html").links
