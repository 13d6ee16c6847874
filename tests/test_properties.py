"""Properties over generated input (hypothesis): mappers, scores, and everything that escapes text."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from auditor.config import load_rubric
from auditor.errors import ConfigError
from auditor.model import Dataset, Dimension, Finding, Status
from auditor.netguard import AllowList, why_forbidden
from auditor.redact import clean, forget_all, json_text, redact, redact_data, remember
from auditor.scoring import aggregate, score_findings
from auditor.sources.ckan import map_package
from auditor.sources.socrata import apply_view, map_catalog_entry
from tests.conftest import load

BASE = "https://data.example.org"
# Any JSON at all: what a hostile or broken portal can send.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=40,
)
CKAN_KEYS = ["id", "name", "title", "notes", "license_id", "license_title", "organization", "resources",
             "extras", "tags", "metadata_modified", "maintainer_email", "author_email", "url", "frequency",
             "format", "last_modified", "datastore_active", "size", "mimetype", "groups"]
SOCRATA_KEYS = ["resource", "classification", "metadata", "owner", "link", "permalink", "id", "name",
                "description", "columns", "type", "updatedAt", "data_updated_at", "domain_metadata",
                "blobFilename", "blobId", "accessPoints", "attachments", "href", "rowsUpdatedAt",
                "page_views", "dataTypeName", "fieldName", "license", "attribution"]
SLOW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def shaped(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects that use the platform's own keys, so the mappers go deep, with any values."""
    return st.recursive(
        st.dictionaries(st.sampled_from(keys), JSON, max_size=8),
        lambda inner: st.dictionaries(st.sampled_from(keys), inner | st.lists(inner, max_size=3) | JSON,
                                      max_size=8),
        max_leaves=20,
    )


def _mutate(record: Any, data: st.DataObject) -> Any:
    """A real record with some values replaced by anything."""
    if isinstance(record, dict):
        out = {}
        for key, value in record.items():
            out[key] = data.draw(JSON) if data.draw(st.integers(0, 9)) == 0 else _mutate(value, data)
        return out
    if isinstance(record, list):
        return [_mutate(v, data) for v in record]
    return record


@SLOW
@given(shaped(CKAN_KEYS))
def test_ckan_mapper_accepts_any_json(package: dict[str, Any]) -> None:
    dataset = map_package(package, BASE)
    assert dataset is None or isinstance(dataset, Dataset) and isinstance(dataset.id, str)


@SLOW
@given(st.data())
def test_ckan_mapper_accepts_real_packages_with_wrong_values(data: st.DataObject) -> None:
    package = _mutate(load("ckan/envidat.ch_package_show_avalanche_accidents.json")["result"], data)
    dataset = map_package(package, BASE)
    assert dataset is None or all(isinstance(r.url, str) for r in dataset.resources)


@SLOW
@given(shaped(SOCRATA_KEYS), shaped(SOCRATA_KEYS))
def test_socrata_mappers_accept_any_json(entry: dict[str, Any], view: dict[str, Any]) -> None:
    dataset = map_catalog_entry(entry, BASE)
    if dataset is None:
        dataset = Dataset(id="abcd-1234", title="t")
    completed = apply_view(dataset, view, BASE)
    assert isinstance(completed, Dataset) and completed.id == dataset.id


@pytest.mark.parametrize("value", [None, 1, "x", [], [1, {"a": None}], {"resource": []}, {"resource": {"id": 5}}])
def test_mappers_on_wrong_top_level_shapes(value: Any) -> None:
    for fn in (map_package, map_catalog_entry):
        try:
            out = fn(value, BASE)
        except (TypeError, AttributeError) as exc:  # pragma: no cover - the failure being looked for
            pytest.fail(f"{fn.__name__} crashed on {value!r}: {exc}")
        assert out is None or isinstance(out, Dataset)


# -- scores -----------------------------------------------------------------------------------------

RUBRIC = load_rubric()
CHECKS = ["dataset.license", "dataset.description-present", "resource.url-reachable", "resource.format-open",
          "dataset.freshness", "resource.table-valid", "dataset.contact", "x.custom"]
finding = st.builds(
    Finding,
    check=st.sampled_from(CHECKS),
    dimension=st.sampled_from(list(Dimension)),
    weight=st.floats(0.1, 5),
    status=st.sampled_from(list(Status)),
    dataset_id=st.just("d"),
    message=st.just("m"),
    resource_id=st.sampled_from([None, "r1", "r2"]),
    value=st.none() | st.floats(0, 1),
)


def _consistent(f: Finding) -> Finding:
    # As checks make them: one dimension and weight per check id; PASS is 1.0 unless partial.
    dim = list(Dimension)[CHECKS.index(f.check) % len(Dimension)]
    value = None if f.status in (Status.ERROR, Status.SKIP) else (f.value if f.value is not None else
                                                                 (1.0 if f.status == Status.PASS else 0.0))
    if f.status == Status.PASS and value is not None:
        value = max(value, 0.5)
    return replace(f, dimension=dim, weight=1.0 + CHECKS.index(f.check), value=value)


@SLOW
@given(st.lists(finding.map(_consistent), max_size=25))
def test_scores_stay_within_0_and_100(findings: list[Finding]) -> None:
    score = score_findings(findings, RUBRIC)
    values = [score.overall, *score.dimensions.values()]
    assert all(v is None or 0 <= v <= 100 for v in values)
    portal = aggregate([score, score_findings(findings[:3], RUBRIC)], RUBRIC)
    assert portal.overall is None or 0 <= portal.overall <= 100


@SLOW
@given(st.lists(finding.map(_consistent), min_size=1, max_size=25), st.data())
def test_fixing_a_failure_never_lowers_a_score(findings: list[Finding], data: st.DataObject) -> None:
    failing = [i for i, f in enumerate(findings) if f.status == Status.FAIL]
    assume(failing)
    i = data.draw(st.sampled_from(failing))
    fixed = list(findings)
    fixed[i] = replace(findings[i], status=Status.PASS, value=1.0)
    before, after = score_findings(findings, RUBRIC), score_findings(fixed, RUBRIC)
    assert after.overall is not None
    assert before.overall is None or after.overall >= before.overall
    for dim, value in before.dimensions.items():
        assert value is None or (after.dimensions[dim] or 0) >= value


# -- text that leaves the process ------------------------------------------------------------------------


@given(st.text(), st.integers(1, 200))
def test_clean_never_lets_a_control_character_through(text: str, width: int) -> None:
    out = clean(text, width)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert len(out) <= max(width, 1)


@given(JSON, st.lists(JSON, max_size=4))
def test_json_text_is_the_same_json_and_terminal_safe(value: Any, rows: list[Any]) -> None:
    import io

    from auditor.redact import dump_json

    report = {"schema": "s", "portal": value, "datasets": rows}
    for data in (value, report):
        out = json_text(data)
        streamed = io.StringIO()
        dump_json(data, streamed)
        for text in (out, streamed.getvalue()):
            assert json.loads(text) == data
            assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", text.replace("\n", ""))


@given(st.text(min_size=6, max_size=30).filter(lambda s: s.strip() == s and "\x00" not in s), JSON)
def test_redacted_data_never_contains_the_secret(secret: str, value: Any) -> None:
    forget_all()
    try:
        remember(secret)
        wrapped = {"message": f"echo {secret}!", secret: [value, secret]}
        assert secret not in json.dumps(redact_data(wrapped), ensure_ascii=False)
        assert secret not in redact(f"x{secret}y{secret}")
    finally:
        forget_all()


# -- the address guard -------------------------------------------------------------------------------------


@given(st.ip_addresses())
def test_every_non_global_address_is_forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    reason = why_forbidden(ip)
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    target = mapped or ip
    if target.is_loopback or target.is_private or target.is_link_local or not target.is_global:
        assert reason is not None
    if reason is None:
        assert target.is_global and not target.is_multicast


@given(st.text(max_size=40))
def test_allow_list_entries_parse_or_fail_with_a_config_error(entry: str) -> None:
    try:
        AllowList.parse([entry])
    except ConfigError as exc:
        assert "allow-address" in str(exc)


def test_log_lines_and_tracebacks_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from auditor.redact import RedactingFilter

    forget_all()
    remember("smtp-pass-4711")
    try:
        log = logging.getLogger("auditor.test")
        handler = logging.StreamHandler()
        handler.addFilter(RedactingFilter())
        caplog.handler.addFilter(RedactingFilter())
        try:
            raise RuntimeError("login failed for smtp-pass-4711")
        except RuntimeError:
            log.exception("sending failed with %s", "smtp-pass-4711")
        text = caplog.text
        assert "smtp-pass-4711" not in text and "[redacted]" in text
    finally:
        forget_all()


@given(st.lists(st.text(min_size=1, max_size=120), min_size=2, max_size=8, unique=True))
def test_site_page_names_stay_in_their_folder_and_never_collide(ids: list[str]) -> None:
    from pathlib import PurePosixPath

    from auditor.reports.site import safe_name

    names = [safe_name(i) for i in ids]
    assert len(set(names)) == len(names)
    for name in names:
        path = PurePosixPath("datasets") / f"{name}.html"
        assert path.parent == PurePosixPath("datasets") and ".." not in path.parts and "/" not in name
        assert 0 < len(name) <= 80
