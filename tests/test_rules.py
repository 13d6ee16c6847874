"""Frequencies and the freshness ladder, licences, formats and sniffing: tables of real spellings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auditor.formats import normalise_format, sniff
from auditor.freshness import judge, parse_frequency
from auditor.licenses import classify_license
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.mark.parametrize(("text", "kind", "days"), [
    ("Daily", "periodic", 1), ("hourly", "periodic", 1 / 24), ("Weekly", "periodic", 7),
    ("Biweekly", "periodic", 14), ("Monthly", "periodic", 30), ("quarterly", "periodic", 91),
    ("Semi-annual", "periodic", 182), ("Annually", "periodic", 365), ("jaehrlich", "periodic", 365),
    ("R/P1M", "periodic", 30), ("R/PT1H", "periodic", 1 / 24), ("R/P1Y", "periodic", 365),
    ("http://publications.europa.eu/resource/authority/frequency/MONTHLY", "periodic", 30),
    ("every 15 minutes", "periodic", 1 / 96),
    ("Static (not updated)", "static", None), ("never", "static", None),
    ("sporadisch oder unregelmaessig", "irregular", None), ("infrequently", "irregular", None),
    ("As Needed", "irregular", None), ("", "none", None), ("Blue", "unrecognisable", None),
])
def test_frequency_spellings(text: str, kind: str, days: float | None) -> None:
    freq = parse_frequency(text)
    assert freq.kind == kind
    assert freq.days == pytest.approx(days) if days else freq.days is None


@pytest.mark.parametrize(("freq", "age_days", "state"), [
    ("Daily", 1.5, "fresh"), ("Daily", 2.5, "due"), ("Daily", 3.5, "overdue"), ("Daily", 4.5, "delinquent"),
    ("Weekly", 7.9, "fresh"), ("Weekly", 13, "due"), ("Weekly", 20, "overdue"), ("Weekly", 22, "delinquent"),
    ("Monthly", 30, "fresh"), ("Monthly", 44, "due"), ("Monthly", 60, "overdue"), ("Monthly", 62, "delinquent"),
    ("quarterly", 92, "fresh"), ("quarterly", 120, "due"), ("quarterly", 151, "overdue"),
    ("quarterly", 153, "delinquent"), ("Annually", 400, "due"),
    ("Static (not updated)", 4000, "static"), ("As Needed", 4000, "unknown"), ("", 4000, "unknown"),
])
def test_ladder(freq: str, age_days: float, state: str) -> None:
    got, age = judge(parse_frequency(freq), NOW - timedelta(days=age_days), NOW)
    assert got == state
    assert age == pytest.approx(age_days)


def test_no_timestamp_is_unknown_not_stale() -> None:
    assert judge(parse_frequency("Daily"), None, NOW) == ("unknown", None)


@pytest.mark.parametrize(("spellings", "state"), [
    (("cc-by",), "open"), (("CC_40_BY",), "open"), (("CC0_10",), "open"), (("PUBLIC_DOMAIN",), "open"),
    (("Creative Commons Attribution | Share Alike 4.0 International",), "open"),
    (("odc-odbl",), "open"), (("uk-ogl",), "open"), (("other-open",), "open"),
    (("", "http://www.opendefinition.org/licenses/cc-zero"), "open"),
    (("cc-nc",), "not-open"), (("CC BY-NC 4.0",), "not-open"), (("CC BY-ND",), "not-open"),
    (("other-closed",), "not-open"),
    (("See Terms of Use",), "unknown"), (("notspecified",), "unspecified"), (("",), "unspecified"),
    (("other-undefined",), "unspecified"),
])
def test_licences(spellings: tuple[str, ...], state: str) -> None:
    assert classify_license(*spellings).state == state


@pytest.mark.parametrize(("declared", "media", "url", "fmt"), [
    ("CSV", "", "", "CSV"), ("csv", "", "", "CSV"), ("", "text/csv; charset=utf-8", "", "CSV"),
    ("Esri Shapefile", "", "", "SHP"), ("GeoJSON", "", "", "GEOJSON"), ("", "", "https://x/a/b.xlsx", "XLSX"),
    ("dxf", "", "", "DXF"), ("WMS", "", "", "WMS"), ("", "", "https://x/download?format=1", ""),
])
def test_normalise_format(declared: str, media: str, url: str, fmt: str) -> None:
    assert normalise_format(declared, media, url) == fmt


@pytest.mark.parametrize(("name", "kind"), [
    ("nyc_311_service_requests_2016-2019_sample5.csv", "text"),
    ("dh_cumbria_pct_spend_over_25k_sep2011_bom_padded_amounts.csv", "text"),
    ("nhs_inpatients_mha_2010-11_utf16le_bom_padded.csv", "text"),
    ("fco_services_spend_may2011_cr_line_endings.csv", "text"),
    ("soda_resource_songs_unicode.json", "json"),
])
def test_sniff_real_files(name: str, kind: str) -> None:
    from auditor.demo.server import DATA

    assert sniff((DATA / "files" / name).read_bytes()[:4096]) == kind


@pytest.mark.parametrize(("head", "kind"), [
    (b"<!DOCTYPE html><html><body>Sign in</body></html>", "html"), (b"%PDF-1.7", "pdf"),
    (b"PK\x03\x04rest", "zip"), (b"\x1f\x8b\x08", "gzip"), (b"<?xml version='1.0'?><gml/>", "xml"),
    (b"", "empty"), (b"\x00\x01\x02\x03" * 50, "binary"), (b"\xd0\xcf\x11\xe0\xa1\xb1", "ole"),
])
def test_sniff_signatures(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


def test_fixtures_present() -> None:
    assert (FIXTURES / "PROVENANCE.md").is_file()
