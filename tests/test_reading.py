"""Reading real metadata right: each rule on a real record, or on one built to the real API's
shape where no permissively licensed record was found (said so in the test)."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auditor.check import CheckContext
from auditor.errors import TEMPORARY_DNS
from auditor.http import HttpClient, HttpSettings
from auditor.reading import read_dataset
from auditor.sources import SourceOptions
from auditor.sources.ckan import CkanSource
from auditor.sources.ckan_map import map_package
from auditor.sources.socrata import apply_view, map_catalog_entry
from tests.conftest import load

REAL = Path(__file__).parent / "fixtures" / "real-labelled" / "records" / "ckan"
BASE = "https://portal.example"


def real_packages(portal: str) -> list[dict[str, Any]]:
    packages: list[dict[str, Any]] = json.loads((REAL / portal / "packages.json").read_text("utf-8"))
    return packages


def read_ckan(package: dict[str, Any], languages: tuple[str, ...] = ()) -> dict[str, Any]:
    dataset = map_package(package, BASE, languages)
    assert dataset is not None
    return read_dataset(dataset)


def catalog_entry(custom: dict[str, str], **resource: Any) -> dict[str, Any]:
    """A Discovery API result built to the real API's shape (as recorded from data.ny.gov,
    data.cityofnewyork.us, www.dati.lombardia.it in public test suites)."""
    return {"resource": {"id": "abcd-1234", "name": "Example", "type": "dataset", "description": "A table.",
                         "data_updated_at": "2025-08-25T06:54:26.000Z", "updatedAt": "2025-09-01T00:00:00.000Z",
                         **resource},
            "classification": {"domain_category": "Transportation",
                               "domain_metadata": [{"key": k, "value": v} for k, v in custom.items()]},
            "metadata": {"domain": "data.example.gov"}}


def read_socrata(entry: dict[str, Any]) -> dict[str, Any]:
    dataset = map_catalog_entry(entry, BASE)
    assert dataset is not None
    return read_dataset(dataset)


# -- 1. declared frequency, wherever and however it is written --------------------------

def test_hdx_counts_days_in_data_update_frequency() -> None:
    read = read_ckan(real_packages("hdx")[0])
    assert read["frequency"] | {"words": None} == {"raw": "30", "field": "data_update_frequency", "kind": "periodic",
                                                   "period_days": 30.0, "words": None}


def test_toronto_refresh_rate() -> None:
    read = read_ckan(real_packages("toronto")[0])
    assert (read["frequency"]["field"], read["frequency"]["kind"], read["frequency"]["period_days"]) == \
        ("refresh_rate", "periodic", 30.0)


@pytest.mark.parametrize(("where", "key", "value", "days"), [
    # Built to the shapes of data.gov.uk extras, DCAT-AP harvests and scheming fields.
    ("extras", "frequency-of-update", "monthly", 30.0),
    ("extras", "UpdateFrequency", "Weekly", 7.0),
    ("extras", "dct:accrualPeriodicity", "http://publications.europa.eu/resource/authority/frequency/QUARTERLY", 91.0),
    ("field", "accrual_periodicity", "R/P1Y", 365.0),
    ("field", "accrualPeriodicity", "http://purl.org/cld/freq/daily", 1.0),
    ("field", "update_frequency", "Every five years", 1826.0),
])
def test_frequency_keys_in_any_case_and_punctuation(where: str, key: str, value: str, days: float) -> None:
    package: dict[str, Any] = {"id": "p", "name": "p", "title": "T"}
    if where == "extras":
        package["extras"] = [{"key": key, "value": value}]
    else:
        package[key] = value
    freq = read_ckan(package)["frequency"]
    assert freq["kind"] == "periodic" and abs(freq["period_days"] - days) <= 0.1 * days
    assert freq["field"] == (f"extras.{key}" if where == "extras" else key)


def test_a_date_beside_the_frequency_is_not_a_frequency() -> None:
    """Lombardy's fieldset "Frequenza di aggiornamento" holds the frequency and the date of the
    last change; the date must not be read as a schedule, whichever comes first."""
    entry = catalog_entry({"Frequenza_di_aggiornamento_Data-ultima-modifica": "03/04/2024",
                           "Frequenza_di_aggiornamento_Frequenza": "Giornaliera"})
    freq = read_socrata(entry)["frequency"]
    assert (freq["raw"], freq["kind"], freq["field"]) == \
        ("Giornaliera", "periodic", "custom:Frequenza_di_aggiornamento_Frequenza")
    only_date = read_socrata(catalog_entry({"Frequenza_di_aggiornamento_Data-ultima-modifica": "03/04/2024"}))
    assert only_date["frequency"]["kind"] == "none"


def test_update_automation_and_dates_are_not_schedules() -> None:
    """New York City's "Update" fieldset: Automation, Date Made Public, Update Frequency."""
    entry = catalog_entry({"Update_Automation": "Yes", "Update_Date-Made-Public": "4/11/2016",
                           "Update_Update-Frequency": "Daily"})
    assert read_socrata(entry)["frequency"]["field"] == "custom:Update_Update-Frequency"
    assert read_socrata(catalog_entry({"Update_Automation": "Yes"}))["frequency"]["kind"] == "none"


# -- 2. contacts ------------------------------------------------------------------------

def test_oslo_publisher_email_is_a_contact() -> None:
    contact = read_ckan(real_packages("oslo-smartbydata")[0])["contact"]
    assert contact["email"] == "terje@smartbydata.no" and contact["field"] == "publisher_email"


@pytest.mark.parametrize(("fields", "email", "url"), [
    # Built to the shapes of opendata.swiss, EnviDat, DCAT-AP harvests and data.gov.uk.
    ({"contact_points": [{"name": "Pierre", "email": "pierre@bar.ch"}]}, "pierre@bar.ch", None),
    ({"contact_point": json.dumps({"fn": "Desk", "hasEmail": "mailto:desk@city.example"})}, "desk@city.example", None),
    ({"extras": [{"key": "contact-email", "value": "open@city.example"}]}, "open@city.example", None),
    ({"maintainer": "data-team@city.example"}, "data-team@city.example", None),
    ({"maintainer": json.dumps({"name": "Ann", "email": "ann@wsl.example"})}, "ann@wsl.example", None),
    ({"contact_uri": "https://city.example/contact-form"}, None, "https://city.example/contact-form"),
])
def test_contacts_in_every_shape(fields: dict[str, Any], email: str | None, url: str | None) -> None:
    contact = read_ckan({"id": "p", "name": "p", "title": "T", **fields})["contact"]
    assert (contact["email"], contact["url"]) == (email, url)


def test_a_user_id_is_not_a_contact_name() -> None:
    package = {**real_packages("hdx")[0], "maintainer_email": None, "author_email": None}
    assert read_ckan(package)["contact"]["name"] in (None, "acled")


def test_attribution_link_is_not_a_contact() -> None:
    """Chicago: attribution "City of Chicago" links to the city's home page."""
    entry = catalog_entry({}, attribution="City of Chicago", attribution_link="http://www.cityofchicago.org")
    assert read_socrata(entry)["contact"] == {"email": None, "url": None, "name": None, "field": None}


# -- 3. when the data changed, not the metadata -----------------------------------------

def test_toronto_last_refreshed() -> None:
    read = read_ckan(real_packages("toronto")[0])
    assert read["data_updated"] == {"date": "2023-05-01T12:01:10Z", "field": "last_refreshed"}


def test_resource_created_only_when_no_last_modified_anywhere() -> None:
    """HDX's recorded resources say last_modified 'None' (a string) and give created."""
    with_resources = next(p for p in real_packages("hdx") if p.get("resources"))
    assert read_ckan(with_resources)["data_updated"]["field"] == "resources[].created"
    without = next(p for p in real_packages("hdx") if not p.get("resources"))
    assert read_ckan(without)["data_updated"] == {"date": None, "field": None}


def test_newest_resource_last_modified_beats_dcat_modified() -> None:
    package = {"id": "p", "name": "p", "title": "T", "metadata_modified": "2024-06-01T00:00:00",
               "extras": [{"key": "modified", "value": "2019-01-01"}],
               "resources": [{"id": "a", "url": "https://x/a.csv", "last_modified": "2021-03-01T10:00:00"},
                             {"id": "b", "url": "https://x/b.csv", "last_modified": "2022-05-01T10:00:00"}]}
    assert read_ckan(package)["data_updated"] == {"date": "2022-05-01T10:00:00Z", "field": "resources[].last_modified"}
    del package["resources"]
    assert read_ckan(package)["data_updated"] == {"date": "2019-01-01T00:00:00Z", "field": "extras.modified"}


def test_metadata_modified_is_never_the_data_date_and_freshness_says_why() -> None:
    from auditor.checks.dataset.fresh import Fresh

    package = {"id": "p", "name": "p", "title": "T", "frequency": "daily", "metadata_modified": "2024-06-01T00:00:00"}
    dataset = map_package(package, BASE)
    assert dataset is not None and dataset.data_modified is None
    ctx = CheckContext(now=datetime(2024, 6, 2, tzinfo=UTC), http=None)  # type: ignore[arg-type]
    (finding,) = Fresh().run(dataset, ctx)
    assert finding.status.value == "skip"
    assert "gives no date for its data" in finding.message and "2024-06-01" in finding.message


# -- 4. departments -----------------------------------------------------------------------

def test_agency_before_owner_and_organisation() -> None:
    """data.ny.gov writes Agency, Dataset Owner and Organization; Agency is the department."""
    entry = catalog_entry({"Dataset-Summary_Dataset-Owner": "Planning and Scheduling",
                           "Dataset-Summary_Organization": "Capital District Transportation Authority",
                           "Dataset-Information_Agency": "Capital District Transit Authority"},
                          attribution="CDTA")
    assert read_socrata(entry)["department"] == {"value": "Capital District Transit Authority",
                                                 "field": "custom:Dataset-Information_Agency"}


def test_data_owner_before_attribution_and_never_the_category() -> None:
    owned = catalog_entry({"Metadata_Data-Owner": "Chicago Police Department"}, attribution="City of Chicago")
    assert read_socrata(owned)["department"]["value"] == "Chicago Police Department"
    empty_owner = catalog_entry({"Metadata_Data-Owner": ""}, attribution="City of Chicago")
    assert read_socrata(empty_owner)["department"] == {"value": "City of Chicago",
                                                       "field": "catalog resource.attribution"}
    nothing = catalog_entry({})
    assert read_socrata(nothing)["department"]["value"] is None  # "Transportation" is a category


def test_a_geographic_unit_is_not_a_department() -> None:
    entry = catalog_entry({"Additional-Information_Geographic-Unit": "Latitude/Longitude"}, attribution="DelDOT")
    assert read_socrata(entry)["department"]["value"] == "DelDOT"


def test_toronto_division_inside_the_city() -> None:
    read = read_ckan(real_packages("toronto")[0])
    assert read["department"] == {"value": "City Clerk's Office", "field": "owner_division"}


# -- 5. multilingual fields ---------------------------------------------------------------

SWISS = {  # built to the shape of opendata.swiss package_show (ckanext-switzerland)
    "id": "x", "name": "test-dataset", "title": {"fr": "FR Test", "de": "DE Test", "en": "", "it": "IT Test"},
    "description": {"fr": "Description FR", "de": "Beschreibung DE", "en": "", "it": "Descrizione IT"},
    "organization": {"name": "bundesarchiv", "title": json.dumps({"de": "Bundesarchiv", "fr": "Archives fédérales"})},
    "accrual_periodicity": "http://publications.europa.eu/resource/authority/frequency/IRREG",
    "modified": "09.09.2015", "contact_points": [{"email": "pierre@bar.ch", "name": "Pierre"}],
    "resources": [{"id": "r", "url": "https://x/a.csv", "format": "CSV",
                   "rights": "NonCommercialAllowed-CommercialWithPermission-ReferenceRequired"}],
}


def test_one_language_never_the_dict_as_text() -> None:
    dataset = map_package(SWISS, BASE)
    assert dataset is not None
    assert (dataset.title, dataset.description, dataset.organization) == ("DE Test", "Beschreibung DE", "Bundesarchiv")
    assert read_dataset(dataset)["language"] == "de"
    french = map_package(SWISS, BASE, ("fr",))
    assert french is not None and (french.title, french.organization) == ("FR Test", "Archives fédérales")


def test_opendata_swiss_terms_of_use_per_resource() -> None:
    read = read_ckan(SWISS)
    assert read["licence"]["field"] == "resources[].rights" and read["licence"]["open"] is False


def test_the_portal_language_comes_from_status_show() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        action = request.url.path.rsplit("/", 1)[-1]
        if action == "status_show":
            return httpx.Response(200, json={"success": True, "result": {"site_title": "S", "locale_default": "fr"}})
        result = {"count": 1, "results": [SWISS]} if action == "package_search" else ["test-dataset"]
        return httpx.Response(200, json={"success": True, "result": result})

    with HttpClient(transport=httpx.MockTransport(handler)) as http:
        source = CkanSource(BASE, http)
        source.portal()
        (dataset,) = list(source.iter_entries())
    assert dataset.title == "FR Test" and dataset.language == "fr"


# -- 6. attachments ----------------------------------------------------------------------

def test_a_zip_of_shapefiles_attached_to_a_view_is_data() -> None:
    """Built to the shape of a recorded views record's metadata.attachments."""
    base = map_catalog_entry(catalog_entry({}), BASE)
    assert base is not None
    view = {"id": "abcd-1234", "name": "Example", "metadata": {"attachments": [
        {"blobId": "b1", "filename": "Parcels_shapefile.zip", "name": "Parcels_shapefile.zip"},
        {"assetId": "b2", "filename": "Boundaries.kmz", "name": "Boundaries.kmz"},
        {"blobId": "b3", "filename": "Data_Dictionary.xlsx", "name": "Data_Dictionary.xlsx"},
        {"blobId": "b4", "filename": "methodology.pdf", "name": "methodology.pdf"}]}}
    kinds = {r.name: r.kind for r in apply_view(base, view, BASE).resources if "attachment" in r.id}
    assert kinds == {"Parcels_shapefile.zip": "file", "Boundaries.kmz": "file",
                     "Data_Dictionary.xlsx": "documentation", "methodology.pdf": "documentation"}


# -- 7. a failed side lookup is not an unreadable record -----------------------------------

def test_datastore_false_comma_is_false() -> None:
    """HDX's recorded resource says datastore_active: 'False,'; nothing is asked of the DataStore."""
    package = next(p for p in real_packages("hdx") if p.get("resources"))
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(500)

    dataset = map_package(package, BASE)
    assert dataset is not None
    with HttpClient(HttpSettings(retries=0), transport=httpx.MockTransport(handler)) as http:
        completion = CkanSource(BASE, http).complete(dataset)
    assert calls == [] and completion.problem is None


def test_a_failed_datastore_search_leaves_the_record_readable() -> None:
    """Oslo's resources are datastore_active; their dictionaries were not recorded (404)."""
    package = real_packages("oslo-smartbydata")[0]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"success": False, "error": {"message": "Not found"}})

    dataset = map_package(package, BASE)
    assert dataset is not None
    with HttpClient(HttpSettings(retries=0), transport=httpx.MockTransport(handler)) as http:
        completion = CkanSource(BASE, http).complete(dataset)
    assert completion.problem is None
    assert read_dataset(completion.dataset)["columns"]["documented"] == "unknown"


# -- 8. name resolution ------------------------------------------------------------------

@pytest.mark.parametrize(("errno", "kind"), [(socket.EAI_NONAME, "broken"), (socket.EAI_AGAIN, "unresolved")])
def test_nxdomain_is_broken_a_resolver_hiccup_is_not(errno: int, kind: str) -> None:
    from auditor.netguard import AllowList, GuardedBackend

    def resolve(host: str, port: int, **kw: Any) -> Any:
        raise socket.gaierror(errno, "resolver says so")

    backend = GuardedBackend(AllowList(), resolve=resolve)

    class Transport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            import httpcore

            try:
                backend.vetted(request.url.host, 443)
            except httpcore.ConnectError as exc:
                raise httpx.ConnectError(str(exc), request=request) from None
            return httpx.Response(200)

    with HttpClient(HttpSettings(retries=0), transport=Transport()) as http:
        from auditor.probe import probe

        result = probe(http, "https://nowhere.example/file.csv", sniff=False)
    assert result.kind == kind
    if kind == "unresolved":
        assert result.reason.startswith(TEMPORARY_DNS)
    else:
        assert "does not exist" in result.reason


# -- 9. a catalogue read whole, or said to be incomplete ----------------------------------

def _index_out_of_step(count: int, searchable: list[str], listed: list[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        action = request.url.path.rsplit("/", 1)[-1]
        q = {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}
        if action == "package_search":
            start, rows = int(q["start"]), int(q["rows"])
            results = [{"id": n, "name": n, "title": n} for n in searchable[start:start + rows]]
            return httpx.Response(200, json={"success": True, "result": {"count": count, "results": results}})
        if action == "package_list":
            return httpx.Response(200, json={"success": True, "result": listed})
        if action == "package_show":
            return httpx.Response(200, json={"success": True, "result": {"id": q["id"], "name": q["id"]}})
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def test_datasets_search_does_not_count_are_read_from_package_list() -> None:
    """The count agrees with what search returns, but the database holds more (reindex pending)."""
    with HttpClient(transport=_index_out_of_step(2, ["a", "b"], ["a", "b", "c"])) as http:
        source = CkanSource(BASE, http, SourceOptions(page_size=10))
        got = sorted(d.id for d in source.iter_entries())
    assert got == ["a", "b", "c"] and not source.incomplete
    assert any("search index out of step" in n for n in source.notes)


def test_a_count_nobody_returns_marks_the_run_incomplete() -> None:
    with HttpClient(transport=_index_out_of_step(5, ["a", "b"], ["a", "b", "c"])) as http:
        source = CkanSource(BASE, http, SourceOptions(page_size=10))
        got = list(source.iter_entries())
    assert len(got) == 3
    assert "counts 5 datasets" in source.incomplete and "2 missing" in source.incomplete


# -- 10. Socrata additional access points --------------------------------------------------

def test_additional_access_points_are_resources() -> None:
    """Built to the shape of a views record's metadata (Catalonia's traffic feed)."""
    base = map_catalog_entry(catalog_entry({}), BASE)
    assert base is not None
    view = {"id": "abcd-1234", "name": "Incidents", "metadata": {
        "accessPoints": {"rss": "http://www.gencat.cat/transit/opendata/incidenciesRSS.xml"},
        "additionalAccessPoints": [{"urls": {"rss": "http://www.gencat.cat/transit/opendata/incidenciesRSS.xml",
                                             "xml": "http://www.gencat.cat/transit/opendata/incidenciesGML.xml"}}]}}
    links = sorted(r.url for r in apply_view(base, view, BASE).resources if r.kind == "link")
    assert links == ["http://www.gencat.cat/transit/opendata/incidenciesGML.xml",
                     "http://www.gencat.cat/transit/opendata/incidenciesRSS.xml"]


# -- 12. freshness in plain, graded words ------------------------------------------------

def test_freshness_is_graded_by_lateness_and_says_the_date() -> None:
    from auditor.checks.dataset.fresh import Fresh
    from auditor.model import Dataset

    values = []
    for age in (0.5, 2.5, 3.5, 6, 30):
        ds = Dataset("d", "D", update_frequency="Daily", data_modified=datetime(2024, 1, 1, tzinfo=UTC))
        ctx = CheckContext(now=datetime(2024, 1, 1, tzinfo=UTC) + __import__("datetime").timedelta(days=age),
                           http=None)  # type: ignore[arg-type]
        (finding,) = Fresh().run(ds, ctx)
        values.append(finding.value)
        assert "2024-01-01" in finding.message and "expected every day" in finding.message
        assert "every 1 " not in finding.message and "every 0" not in finding.message
    assert values == sorted(values, reverse=True) and values[0] == 1.0 and values[-1] == 0.0
    assert len(set(values)) == len(values)


def test_hourly_schedules_never_read_every_zero_hours() -> None:
    from auditor.checks.dataset.fresh import Fresh
    from auditor.model import Dataset

    ds = Dataset("d", "D", update_frequency="Data are updated multiple times per hour",
                 data_modified=datetime(2024, 1, 1, tzinfo=UTC))
    (finding,) = Fresh().run(ds, CheckContext(now=datetime(2024, 1, 6, tzinfo=UTC), http=None))  # type: ignore[arg-type]
    assert finding.status.value == "fail" and "more often than every hour" in finding.message


def test_as_of_fixes_today(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main
    from tests.labelled import Corpus, Replay

    with Replay(Corpus.load(Path(__file__).parent / "fixtures" / "real-labelled")) as replay:
        args = ["audit", replay.url("ckan", "toronto"), "--platform", "ckan", "--no-content", "--format", "json",
                "--allow-host", "127.0.0.1", "--as-of", "2023-05-20"]
        doc = json.loads(CliRunner().invoke(main, args, catch_exceptions=False).stdout)
    fresh = [f for d in doc["datasets"] for f in d["findings"] if f["check"] == "dataset.fresh"]
    assert sorted(f["details"]["age_days"] for f in fresh) == [pytest.approx(15.5, abs=0.6), pytest.approx(18.5, abs=0.6)]
    assert all(f["status"] == "pass" for f in fresh)


def test_the_report_says_where_each_fact_was_read() -> None:
    doc = load("ckan/data.gov.au_package_show_taxation_statistics.json")["result"]
    read = read_ckan(doc)
    assert set(read) == {"language", "description", "licence", "frequency", "data_updated", "contact",
                         "department", "columns"}
    assert read["frequency"]["field"] == "update_freq" and read["contact"]["field"] == "contact_point"


def test_an_email_written_as_the_owner_display_name_is_a_contact() -> None:
    """Built to the Discovery API's shape: some publishing accounts are named by a mailbox."""
    entry = {**catalog_entry({}), "owner": {"id": "abcd-efgh", "display_name": "opendata@city.example"}}
    assert read_socrata(entry)["contact"] == {"email": "opendata@city.example", "url": None, "name": None,
                                              "field": "owner.display_name"}
    named = {**catalog_entry({}), "owner": {"id": "abcd-efgh", "display_name": "City Open Data Team"}}
    contact = read_socrata(named)["contact"]
    assert contact["email"] is None and contact["name"] == "City Open Data Team"


def test_a_portal_config_chooses_the_language(tmp_path: Path) -> None:
    from auditor.config import load_portal
    from auditor.settings import settings_for

    path = tmp_path / "swiss.yaml"
    path.write_text("url: https://ckan.opendata.swiss\nplatform: ckan\nlanguage: fr\n")
    settings = settings_for(load_portal(path), {})
    assert settings.languages == ("fr",)
    dataset = map_package(SWISS, BASE, settings.languages)
    assert dataset is not None and dataset.title == "FR Test"
