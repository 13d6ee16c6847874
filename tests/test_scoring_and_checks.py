"""Scores from findings (with properties), the registry, and each check on real records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor import registry
from auditor.check import CheckContext
from auditor.config import load_rubric
from auditor.errors import ConfigError, RegistryError
from auditor.http import HttpClient
from auditor.model import Column, Dataset, Dimension, Finding, Status
from auditor.runner import run_checks
from auditor.scoring import aggregate, score_findings
from auditor.sources.ckan import map_package
from tests.conftest import load

RUBRIC = load_rubric()
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def f(check: str, dim: Dimension, status: Status, value: float | None, weight: float = 1.0,
      resource: str | None = None) -> Finding:
    return Finding(check, dim, weight, status, "d1", "m", resource, value)


def test_dimension_and_overall_arithmetic() -> None:
    findings = [
        f("dataset.a", Dimension.FINDABILITY, Status.PASS, 1.0, weight=2),
        f("dataset.b", Dimension.FINDABILITY, Status.FAIL, 0.0, weight=1),
        # Two resources of one check count once, as their mean.
        f("resource.c", Dimension.ACCESSIBILITY, Status.PASS, 1.0, resource="r1"),
        f("resource.c", Dimension.ACCESSIBILITY, Status.FAIL, 0.0, resource="r2"),
        f("resource.c", Dimension.ACCESSIBILITY, Status.ERROR, None, resource="r3"),
        f("dataset.d", Dimension.TIMELINESS, Status.SKIP, None),
    ]
    score = score_findings(findings, RUBRIC)
    assert score.dimensions["findability"] == pytest.approx(66.7)
    assert score.dimensions["accessibility"] == 50.0
    assert score.dimensions["timeliness"] is None
    # findability weight 1, accessibility weight 3 in config/rubric.yaml
    assert score.overall == pytest.approx(round((66.667 * 1 + 50 * 3) / 4, 1))
    assert score.counts == {"error": 1, "fail": 2, "pass": 2, "skip": 1}


def test_errors_alone_are_not_a_score() -> None:
    score = score_findings([f("dataset.a", Dimension.OPENNESS, Status.ERROR, None)], RUBRIC)
    assert score.overall is None and score.grade == "-"


def test_bands() -> None:
    assert [RUBRIC.band(s).grade for s in (100, 85, 84.9, 70, 50, 0)] == ["A", "A", "B", "B", "C", "D"]


statuses = st.sampled_from([Status.PASS, Status.FAIL, Status.ERROR, Status.SKIP])
finding_st = st.builds(
    lambda c, d, s, v, w: f(f"dataset.c{c}", d, s, v if s in (Status.PASS, Status.FAIL) else None, w),
    st.integers(0, 5), st.sampled_from(list(Dimension)), statuses,
    st.floats(0, 1), st.floats(0.1, 5),
)


@given(st.lists(finding_st, max_size=30))
def test_scores_stay_within_0_100(findings: list[Finding]) -> None:
    score = score_findings(findings, RUBRIC)
    assert score.overall is None or 0 <= score.overall <= 100
    assert all(v is None or 0 <= v <= 100 for v in score.dimensions.values())


@given(st.lists(finding_st, min_size=1, max_size=20), st.data())
def test_turning_a_fail_into_a_pass_never_lowers_the_score(findings: list[Finding], data: st.DataObject) -> None:
    fails = [i for i, x in enumerate(findings) if x.status == Status.FAIL]
    if not fails:
        return
    i = data.draw(st.sampled_from(fails))
    better = list(findings)
    better[i] = replace(findings[i], status=Status.PASS, value=1.0)
    before, after = score_findings(findings, RUBRIC).overall, score_findings(better, RUBRIC).overall
    assert before is not None and after is not None and after >= before - 0.1


def test_aggregate_is_mean_of_scored() -> None:
    a = score_findings([f("dataset.a", Dimension.OPENNESS, Status.PASS, 1.0)], RUBRIC)
    b = score_findings([f("dataset.a", Dimension.OPENNESS, Status.FAIL, 0.0)], RUBRIC)
    c = score_findings([], RUBRIC)
    assert aggregate([a, b, c], RUBRIC).overall == 50.0


def test_registry_ids_files_and_docstrings() -> None:
    checks = registry.all_checks()
    assert len(checks) >= 11
    for cls in checks:
        assert registry.CHECK_ID.match(cls.id)
        module = cls.__module__.split(".")
        assert module[:2] == ["auditor", "checks"]  # the checks/ folder, installed in the project's namespace
        assert module[2] == cls.id.split(".")[0]
        assert module[3] == cls.id.split(".")[1].replace("-", "_")
        assert "Why" in (cls.__doc__ or "") and cls.fix and cls.weight > 0


def test_selection_by_prefix() -> None:
    assert {c.id for c in registry.select(["resource."])} == {
        c.id for c in registry.all_checks() if c.id.startswith("resource.")}
    assert "dataset.fresh" not in {c.id for c in registry.select(ignore=["dataset.fresh"])}
    with pytest.raises(RegistryError):
        registry.select(["dataset.nope"])


def test_rubric_errors_name_file_and_key(tmp_path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("dimensions: {speed: 2}\n")
    with pytest.raises(ConfigError, match=r"r\.yaml: dimensions\.speed: unknown dimension"):
        load_rubric(bad)
    bad.write_text("thresholds: {dataset.nope: {x: 1}}\n")
    with pytest.raises(ConfigError, match="thresholds.dataset.nope: unknown check"):
        load_rubric(bad, {c.id: c for c in registry.all_checks()})
    bad.write_text("dimensions: [1, 2\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_rubric(bad)


def _run(ds: Dataset, check: str) -> list[Finding]:
    with HttpClient() as http:
        ctx = CheckContext(now=NOW, http=http, thresholds=RUBRIC.thresholds)
        return run_checks(ds, [registry.get(check)], ctx, RUBRIC)


ZURICH = load("ckan/data.stadt-zuerich.ch_package_search_q_verkehr_rows3.json")
ENVIDAT = load("ckan/envidat.ch_package_show_avalanche_accidents.json")["result"]
HUD_LIKE = map_package(load("ckan/demo.ckan.org_package_show_62513382_2017.json")["result"], "https://x")


def zurich(i: int = 0) -> Dataset:
    ds = map_package((ZURICH.get("result") or ZURICH)["results"][i], "https://x")
    assert ds is not None
    return ds


@pytest.mark.parametrize(("dataset", "check", "status"), [
    (zurich(), "dataset.license-open", Status.PASS),
    (replace(zurich(), license="cc-nc"), "dataset.license-open", Status.FAIL),
    (map_package(ENVIDAT, "https://x"), "dataset.license-open", Status.FAIL),  # other-undefined
    (zurich(), "dataset.contact-present", Status.PASS),
    (replace(zurich(), contact_email="", contact_url=""), "dataset.contact-present", Status.FAIL),
    (zurich(), "dataset.tags-present", Status.PASS),
    (replace(zurich(), tags=()), "dataset.tags-present", Status.FAIL),
    (zurich(), "dataset.description-present", Status.PASS),
    (replace(zurich(), description="Bus stops."), "dataset.description-present", Status.FAIL),
    (replace(zurich(), description=zurich().title), "dataset.description-present", Status.FAIL),
    (zurich(), "dataset.update-frequency-declared", Status.PASS),
    (replace(zurich(), update_frequency=""), "dataset.update-frequency-declared", Status.FAIL),
    (zurich(), "dataset.fresh", Status.SKIP),  # irregular: unknown, never stale
    (replace(zurich(2), data_modified=datetime(2026, 6, 1, tzinfo=UTC)), "dataset.fresh", Status.PASS),
    (replace(zurich(2), data_modified=datetime(2024, 6, 1, tzinfo=UTC)), "dataset.fresh", Status.FAIL),
    (zurich(), "dataset.columns-documented", Status.FAIL),
    (replace(zurich(), columns=(Column("a", description="Stop id"), Column("b", description="Name"))),
     "dataset.columns-documented", Status.PASS),
    (zurich(), "dataset.record-readable", Status.PASS),
    (replace(zurich(), raw={"fetch_error": {"message": "HTTP 404", "status": 404, "kind": "broken"}}),
     "dataset.record-readable", Status.FAIL),
    (replace(zurich(), raw={"fetch_error": {"message": "timed out", "status": None, "kind": "timeout"}}),
     "dataset.record-readable", Status.ERROR),
])
def test_dataset_checks(dataset: Dataset, check: str, status: Status) -> None:
    findings = _run(dataset, check)
    assert [x.status for x in findings] == [status], findings


def test_format_open_grades_real_resources() -> None:
    findings = _run(zurich(), "resource.format-open")
    by_format = {x.details["format"]: x.value for x in findings}
    assert by_format["CSV"] == 1.0 and by_format["GPKG"] == 1.0
    assert by_format["SHP"] == 0.5 and by_format["DXF"] == 0.5


def test_a_crashing_check_becomes_an_error_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    cls = registry.get("dataset.tags-present")

    def boom(self, dataset, ctx):
        raise ValueError("kaputt")

    monkeypatch.setattr(cls, "run", boom)
    [finding] = _run(zurich(), "dataset.tags-present")
    assert finding.status == Status.ERROR and "ValueError: kaputt" in finding.message


def test_hud_like_dataset_maps() -> None:
    assert HUD_LIKE is not None


def test_docs_checks_md_is_generated_from_the_registry() -> None:
    from pathlib import Path

    from auditor import registry
    from auditor.docgen import checks_markdown

    doc = Path(__file__).resolve().parent.parent / "docs" / "checks.md"
    assert doc.read_text("utf-8") == checks_markdown(registry.all_checks()), \
        "regenerate with: auditor checks --format markdown > docs/checks.md"
