"""Mapping recorded Socrata payloads to the model, and Discovery API paging."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auditor.demo.server import DATA
from auditor.errors import IncompatiblePortal
from auditor.http import HttpClient, HttpSettings
from auditor.sources import socrata
from auditor.sources.base import SourceOptions
from auditor.sources.socrata import SocrataSource, apply_view, map_catalog_entry
from tests.conftest import FIXTURES, load

BASE = "https://data.example.org"
MELBOURNE = json.loads((DATA / "socrata" / "catalog.json").read_text("utf-8"))
VIEWS = sorted(p.name for p in (FIXTURES / "socrata").glob("*views*.json"))


@pytest.mark.parametrize("result", load("socrata/discovery_catalog_v1_multi_domain_limit7.json")["results"]
                         + MELBOURNE, ids=lambda r: r["resource"]["id"])
def test_every_recorded_catalog_entry_maps(result: dict) -> None:
    dataset = map_catalog_entry(result, BASE)
    assert dataset is not None
    assert dataset.id == result["resource"]["id"]
    assert dataset.title == result["resource"]["name"]
    assert dataset.raw["catalog"] is result or dataset.raw["catalog"] == result
    for res in dataset.resources:
        assert res.url.startswith(BASE)


def test_catalog_entry_fields_melbourne() -> None:
    entry = next(r for r in MELBOURNE if r["resource"]["id"] == "dxvp-runr")
    ds = map_catalog_entry(entry, BASE)
    assert ds is not None
    assert ds.update_frequency == "Daily"  # "Quality_Update-frequency" beats the source-data field
    assert ds.license == entry["metadata"]["license"] == "Creative Commons Attribution 3.0 Australia"
    assert ds.data_modified == datetime(2021, 7, 12, 5, 39, 59, tzinfo=UTC)
    assert ds.organization == "City of Melbourne"
    assert ds.columns and all(not c.field_name.startswith(":") for c in ds.columns)
    assert [r.url for r in ds.resources] == [f"{BASE}/api/views/dxvp-runr/rows.csv?accessType=DOWNLOAD"]


def test_map_blob_entry_gets_a_file_resource() -> None:
    entry = next(r for r in MELBOURNE if r["resource"]["id"] == "y79a-us3f")
    ds = map_catalog_entry(entry, BASE)
    assert ds is not None and ds.asset_type == "map"
    assert [r.format for r in ds.resources] == ["ZIP"]


@pytest.mark.parametrize("name", VIEWS)
def test_every_recorded_view_merges(name: str) -> None:
    view = load(f"socrata/{name}")
    stub = map_catalog_entry({"resource": {"id": view["id"], "name": ""}}, BASE)
    assert stub is not None
    ds = apply_view(stub, view, BASE)
    assert ds.title == (view.get("name") or "")
    assert ds.raw["view"]["id"] == view["id"]


def test_view_seattle_911_uses_rows_updated_at_and_custom_frequency() -> None:
    view = load("socrata/seattle_3k2p-39jp_views_metadata_911_incident_response.json")
    stub = map_catalog_entry({"resource": {"id": "3k2p-39jp", "name": "x"}}, BASE)
    assert stub is not None
    ds = apply_view(stub, view, BASE)
    assert ds.update_frequency == "hourly"
    assert ds.data_modified == datetime.fromtimestamp(view["rowsUpdatedAt"], tz=UTC)
    assert ds.metadata_modified == datetime.fromtimestamp(view["viewLastModified"], tz=UTC)
    assert ds.license == "Creative Commons 1.0 Universal"
    # "Data Owner" is the department; the contact name is the publishing account's display name.
    assert ds.organization == "Department of Information Technology"
    assert ds.contact_name == view["owner"]["displayName"] and ds.provenance["contact"] == "owner.display_name"
    hidden = [c for c in view["columns"] if c["fieldName"].startswith(":")]
    assert ds.columns is not None and len(ds.columns) == len(view["columns"]) - len(hidden)
    docs = [r for r in ds.resources if r.kind == "documentation"]
    assert [d.name for d in docs] == ["CadDataReleaserules.docx"]
    assert "98E5052D-5E37-4BB4-B903-50BD73C97CCC" in docs[0].url


def test_view_blob_file_has_download_url() -> None:
    view = load("socrata/wa_ecy_3rgj-95q8_views_metadata_blob_shapefile.json")
    stub = map_catalog_entry({"resource": {"id": view["id"], "name": "x", "type": "file"}}, BASE)
    assert stub is not None
    ds = apply_view(stub, view, BASE)
    files = [r for r in ds.resources if r.kind == "file"]
    assert len(files) == 1
    assert files[0].url.startswith(f"{BASE}/api/views/3rgj-95q8/files/")
    assert "EM_shapstate.zip" in files[0].url


def _catalog_transport(ids: list[str], seen: list[dict[str, list[str]]]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        q = parse_qs(urlsplit(str(request.url)).query)
        seen.append(q)
        limit = int(q["limit"][0])
        if "scroll_id" in q:
            page = [i for i in ids if i > q["scroll_id"][0]][:limit]
        else:
            offset = int(q["offset"][0])
            if offset + limit > socrata.OFFSET_CEILING:
                return httpx.Response(400, json={"error": "offset too large"})
            page = ids[offset:offset + limit]
        results = [{"resource": {"id": i, "name": i, "type": "dataset"}, "metadata": {}} for i in page]
        return httpx.Response(200, json={"results": results, "resultSetSize": len(ids)})

    return httpx.MockTransport(handler)


def test_paging_switches_to_scroll_id_before_the_offset_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socrata, "OFFSET_CEILING", 20)
    ids = [f"a{n:03d}-xxxx" for n in range(47)]
    seen: list[dict[str, list[str]]] = []
    with HttpClient(transport=_catalog_transport(ids, seen)) as http:
        src = SocrataSource("http://127.0.0.1:9/socrata", http, SourceOptions(page_size=10))
        got = [d.id for d in src.iter_entries()]
    assert got == ids
    assert [("offset" in q, "scroll_id" in q) for q in seen] == [(True, False)] * 2 + [(False, True)] * 3
    assert all(q["order"] == ["dataset_id"] for q in seen if "offset" in q)
    assert src.expected_total == 47


def test_paging_stops_on_a_repeated_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        results = [{"resource": {"id": f"r{i:03d}-aaaa", "name": "x"}} for i in range(10)]
        return httpx.Response(200, json={"results": results, "resultSetSize": 1000})

    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        src = SocrataSource("https://x.example", http, SourceOptions(page_size=10))
        assert len(list(src.iter_entries())) == 10
    assert "repeated" in src.notes[0]


def test_html_catalog_is_incompatible() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text="<html><body>Welcome</body></html>"))
    with HttpClient(HttpSettings(retries=0), transport=transport) as http, pytest.raises(IncompatiblePortal):
        SocrataSource("https://x.example", http).portal()


def test_fixture_dir_exists() -> None:
    assert Path(FIXTURES / "socrata").is_dir()
