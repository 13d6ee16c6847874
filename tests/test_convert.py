"""XLSX and SODA JSON become tables; Socrata's declared column types drive frictionless' types."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from auditor.http import HttpClient, HttpSettings
from auditor.model import Column, Dataset, Resource
from auditor.table import ContentOptions, TableAnalysis, analyse_file
from auditor.table.convert import to_csv
from auditor.table.fetch import TableCache, is_tabular

CSV = Path(__file__).with_name("fixtures") / "csv"
SONGS = Path(__file__).resolve().parent.parent / "auditor" / "demo" / "data" / "files" / "soda_resource_songs_unicode.json"


def test_xlsx_is_read_as_its_first_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = list(csv.reader(io.StringIO((CSV / "nyc_311_service_requests_2016-2019_sample5.csv").read_text("utf-8"))))
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "requests.xlsx"
    book.save(path)
    out = to_csv(path, "XLSX", 10_000_000)
    assert isinstance(out, Path)
    analysis = analyse_file(out)
    assert analysis.rows == 5 and analysis.labels == rows[0]


def test_zip_bomb_disguised_as_a_workbook_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (80 << 20))
    reason = to_csv(path, "XLSX", 1_000_000)
    assert isinstance(reason, str) and "inflate" in reason


def test_soda_json_array_becomes_a_table(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_bytes(SONGS.read_bytes())
    out = to_csv(path, "JSON", 10_000_000)
    assert isinstance(out, Path)
    records = json.loads(SONGS.read_text("utf-8"))
    analysis = analyse_file(out)
    assert analysis.rows == len(records) and analysis.problem is None


def test_json_that_is_not_records_is_a_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"error": true}', encoding="utf-8")
    assert to_csv(path, "JSON", 1000) == "the JSON is not an array of records"


def test_tabular_resources() -> None:
    def res(fmt: str, url: str, kind: str = "file") -> Resource:
        return Resource(id="r", dataset_id="d", url=url, format=fmt, kind=kind)

    assert is_tabular(res("CSV", "https://x/a.csv"))
    assert is_tabular(res("", "https://x/a.tsv"))
    assert is_tabular(res("JSON", "https://x/resource/abcd-1234.json"))
    assert not is_tabular(res("JSON", "https://x/api/views/abcd-1234.json"))
    assert not is_tabular(res("PDF", "https://x/a.pdf"))
    assert not is_tabular(res("CSV", "https://x/a.csv", kind="link"))


def test_declared_socrata_types_are_used_when_the_header_matches(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("Case ID,Amount,Opened,Closed Flag\n1,12.5,03/15/2019 12:00:00 AM,true\n"
                    "2,abc,13/45/2019 12:00:00 AM,maybe\n", encoding="utf-8")
    declared = {"Case ID": "text", "Amount": "number", "Opened": "calendar_date", "Closed Flag": "checkbox"}
    analysis = analyse_file(path, declared=declared)
    assert analysis.schema_source == "declared"
    assert [t for _, t in analysis.fields] == ["string", "number", "datetime", "boolean"]
    assert analysis.structure is not None and analysis.structure.errors["type-error"] == 3
    # A header that does not match the declared columns keeps the inferred schema.
    other = analyse_file(path, declared={"Something else": "number"})
    assert other.schema_source == "inferred"


def test_table_cache_downloads_each_url_once(scripted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    body = (CSV / "nyc_311_service_requests_2016-2019_sample5.csv").read_bytes()
    server = scripted(lambda method, path, headers: (200, {"Content-Type": "text/csv"}, body))
    resource = Resource(id="d/rows.csv", dataset_id="d", url=f"{server.root}/rows.csv", format="CSV", kind="file")
    dataset = Dataset(id="d", title="Requests", resources=(resource,),
                      columns=(Column("Unique Key", type="number"),))
    with HttpClient(HttpSettings(timeout=5, retries=0, allow_addresses=("127.0.0.1",))) as http, TableCache(http, ContentOptions()) as cache:
        first = cache.get(resource, dataset)
        second = cache.get(resource, dataset)
        assert isinstance(first, TableAnalysis) and first is second and first.rows == 5
        assert list(cache.directory.iterdir()) == []  # the download is gone once analysed
    assert len([r for r in server.requests if r[0] == "GET"]) == 1
    assert not cache.directory.exists()


def test_a_whole_column_in_another_clear_convention_is_one_note_not_a_flood(tmp_path: Path) -> None:
    """A Socrata floating timestamp column written as ISO 8601 (as the SODA JSON and some
    exports write it) where the US-style CSV export format was declared."""
    path = tmp_path / "rows.csv"
    rows = "".join(f"{i},2019-03-{i % 28 + 1:02d}T00:00:00.000,{i * 1.5}\n" for i in range(3000))
    path.write_text("Case ID,Opened,Amount\n" + rows, encoding="utf-8")
    declared = {"Case ID": "text", "Opened": "calendar_date", "Amount": "number"}
    analysis = analyse_file(path, declared=declared)
    assert analysis.structure is not None
    assert analysis.structure.errors.get("type-error", 0) == 0
    assert analysis.schema_notes == ["column 'Opened' is declared a date and written in ISO 8601 "
                                     "('2019-03-01T00:00:00.000'), not in the portal's US-style export format; "
                                     "read as ISO 8601"]
    # A bad value in that column is still one error, judged by the convention the file follows.
    path.write_text("Case ID,Opened,Amount\n" + rows + "3000,2019-02-30T00:00:00.000,1\n", encoding="utf-8")
    again = analyse_file(path, declared=declared)
    assert again.structure is not None and again.structure.errors.get("type-error") == 1
