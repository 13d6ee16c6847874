"""Reading files: encoding, dialect, frictionless parity, content analysers, bad input."""

from __future__ import annotations

import collections
import csv
import gzip
import io
import os
import random
import tempfile
from pathlib import Path

import pytest

from auditor.table import ContentOptions, analyse_file
from auditor.table.scan import RowMap
from auditor.table.sniff import inspect_file, sniff_dialect

CSV = Path(__file__).with_name("fixtures") / "csv"
def frictionless_counts(path: Path, encoding: str, delimiter: str, header_row: int) -> collections.Counter[str]:
    import frictionless
    from frictionless import Dialect, Resource, formats, system

    with system.use_context(trusted=True):
        resource = Resource(str(path), encoding=encoding, dialect=Dialect(
            header_rows=[header_row + 1], controls=[formats.CsvControl(delimiter=delimiter)]))
        report = frictionless.validate(resource, limit_errors=10**6)
    return collections.Counter(e.type for task in report.tasks for e in task.errors)


def test_parity_holds_on_a_file_with_every_row_defect(tmp_path: Path) -> None:
    rows = ["id,amount,when,flag,note"]
    for i in range(3000):
        rows.append(f"{i},{i * 1.5},2024-01-{(i % 28) + 1:02d},true,ok")
    rows[1500] = "x1,abc,2024-02-30,maybe,bad"  # type errors in 4 columns, after the sample
    rows[1700] = ""  # bare blank line
    rows[1800] = ",,,,"  # blank row
    rows[1900] = "1,2,2024-01-01,true,ok,extra,extra2"  # extra cells
    rows[2100] = "7,8"  # missing cells
    rows[2200] = '"quoted\nnewline",1,2024-01-01,false,"a,b"'  # multi-line cell moves row numbers
    rows[2500] = "9,1e5,2024-01-01T10:00:00,TRUE, padded "
    path = tmp_path / "defects.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    analysis = analyse_file(path)
    assert analysis.structure is not None
    theirs = frictionless_counts(path, "utf-8", ",", 0)
    assert collections.Counter(analysis.structure.errors) == theirs
    assert theirs["type-error"] >= 4 and theirs["blank-row"] == 2
    # Row numbers are frictionless' record numbers: the examples name the same rows.
    import frictionless
    from frictionless import system

    with system.use_context(trusted=True):
        report = frictionless.validate(str(path), limit_errors=10**6)
    fl_rows = {(e.type, e.row_number) for e in report.tasks[0].errors if hasattr(e, "row_number")}
    assert {(e.type, e.row) for e in analysis.structure.examples} <= fl_rows


def test_row_map_skips_malformed_records() -> None:
    rows = RowMap(first_record=2, malformed=[3, 5])
    assert [rows.record(i) for i in range(4)] == [2, 4, 6, 7]


def late_cp1252(tmp_path: Path) -> Path:
    """A Windows-1252 file whose first non-ASCII byte comes after frictionless' 10 KB sample."""
    src = (CSV / "dh_cumbria_pct_spend_over_25k_sep2011_bom_padded_amounts.csv").read_text("utf-8-sig")
    lines = src.splitlines()
    ascii_rows = [line for line in lines[1:] if line.isascii()]
    other_rows = [line for line in lines[1:] if not line.isascii()] or [lines[1] + " £"]
    body = [lines[0], *ascii_rows[:150], *other_rows]
    path = tmp_path / "late_cp1252.csv"
    path.write_bytes(("\r\n".join(body) + "\r\n").encode("cp1252"))
    assert path.read_bytes().index(b"\xa3") > 10_000
    return path


def test_late_windows_1252_is_found_from_the_whole_file(tmp_path: Path) -> None:
    path = late_cp1252(tmp_path)
    info = inspect_file(path)
    assert info.encoding == "cp1252" and info.label == "Windows-1252"
    assert info.first_non_utf8 is not None and info.first_non_utf8 > 10_000
    assert info.first_non_utf8_line and info.first_non_utf8_line > 100
    analysis = analyse_file(path)
    assert analysis.problem is None and analysis.structure is not None
    # Read with the right encoding: no flood of errors, the pound signs intact.
    assert not analysis.structure.errors


def test_bom_utf16_and_cr_line_endings() -> None:
    assert inspect_file(CSV / "dh_cumbria_pct_spend_over_25k_sep2011_bom_padded_amounts.csv").label == "UTF-8 with BOM"
    utf16 = analyse_file(CSV / "nhs_inpatients_mha_2010-11_utf16le_bom_padded.csv")
    assert utf16.info is not None and utf16.info.label == "UTF-16LE with BOM" and utf16.rows == 327
    cr = analyse_file(CSV / "fco_services_spend_may2011_cr_line_endings.csv")
    assert cr.dialect is not None and cr.dialect.line_ending == "CR" and cr.rows == 4


def test_semicolons_and_title_rows(tmp_path: Path) -> None:
    src = CSV / "nyc_311_service_requests_2016-2019_sample5.csv"
    rows = list(csv.reader(io.StringIO(src.read_text("utf-8"))))
    path = tmp_path / "semicolon.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write("Service requests;;;\nExtract of 2019;;;\n\n")
        csv.writer(fh, delimiter=";").writerows(rows)
    analysis = analyse_file(path)
    assert analysis.dialect is not None
    assert analysis.dialect.delimiter == ";" and analysis.dialect.header_row == 3
    assert analysis.labels[0] == rows[0][0] and analysis.rows == 5
    defra = analyse_file(CSV / "defra_phosphate_rivers_1995-2008_metadata_header_rows.csv")
    assert defra.dialect is not None and defra.dialect.header_row > 5 and defra.dialect.title_rows


def content(name: str, **kw: object) -> dict:
    analysis = analyse_file(CSV / name, ContentOptions(**kw))  # type: ignore[arg-type]
    assert analysis.problem is None
    return analysis.content


def test_duplicate_case_numbers_are_counted_on_every_row() -> None:
    ids = {c["column"]: c for c in content("chicago_crimes_homicides_head3000_duplicate_case_numbers.csv")["identifier"]}
    assert ids["ID"]["duplicated_values"] == 0
    case = ids["Case Number"]
    assert case["rows"] - case["distinct"] == 39  # 39 extra rows share a case number (one per victim)
    assert case["examples"][0]["count"] >= 2 and len(case["examples"][0]["rows"]) >= 2


def test_placeholder_point_and_zero_coordinates(tmp_path: Path) -> None:
    pairs = content("boston_311_service_requests_2022_sample100_placeholder_latlon.csv")["coordinates"]
    assert pairs[0]["problems"]["placeholder"]["rows"] == 19
    assert pairs[0]["problems"]["placeholder"]["point"] == "42.3594,-71.0587"
    # The same file with some rows at 0,0, some out of range and some swapped.
    src = (CSV / "boston_311_service_requests_2022_sample100_placeholder_latlon.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(src)))
    for i in (5, 6):
        rows[i]["latitude"], rows[i]["longitude"] = "0", "0"
    rows[7]["latitude"] = "142.35"
    rows[8]["latitude"], rows[8]["longitude"] = rows[8]["longitude"], rows[8]["latitude"]
    path = tmp_path / "coords.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    problems = analyse_file(path).content["coordinates"][0]["problems"]
    assert problems["zero_zero"]["rows"] == 2 and problems["zero_zero"]["examples"] == [7, 8]
    assert problems["out_of_range"]["rows"] == 1 and problems["swapped"]["rows"] == 1


def test_clean_coordinates_raise_nothing() -> None:
    pairs = content("nyc_311_service_requests_2011_sample999_blank_latlon.csv")["coordinates"]
    assert pairs and pairs[0]["problems"] == {}
    assert pairs[0]["rows"] - pairs[0]["located"] == 294  # blank lat/lon rows are not judged as points


def test_future_and_sentinel_dates(tmp_path: Path) -> None:
    src = (CSV / "nyc_311_service_requests_2016-2019_sample5.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(src)))
    header, body = rows[0], rows[1:]
    created = header.index("Created Date")
    extra = []
    for i in range(40):
        row = list(body[i % len(body)])
        row[0] = str(90000000 + i)
        row[created] = "01/01/1900 12:00:00 AM" if i < 4 else ("03/02/2109 10:00:00 AM" if i < 6 else row[created])
        extra.append(row)
    path = tmp_path / "dates.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body, *extra])
    dates = {d["column"]: d for d in analyse_file(path).content["dates"]}
    problems = dates["Created Date"]["problems"]
    assert problems["sentinel"]["values"] == {"1900-01-01": 4}
    assert problems["future"]["rows"] == 2
    assert "future" not in dates["Due Date"]["problems"]  # a due date may lie ahead
    clean = {d["column"]: d for d in content("nyc_311_service_requests_2016-2019_sample5.csv")["dates"]}
    assert all(not d["problems"] for d in clean.values())


def test_completeness_counts_blank_and_marker_cells() -> None:
    result = content("nyc_311_service_requests_2011_sample999_blank_latlon.csv")["completeness"]
    shares = {c["column"]: c for c in result["columns"]}
    assert shares["Latitude"]["empty"] == 294 and result["rows"] == 999


def test_sample_is_deterministic_and_evenly_spaced() -> None:
    path = CSV / "nyc_tlc_yellow_taxi_trips_2019-01_sample10000_negative_fares.csv"
    a = analyse_file(path, ContentOptions(sample_rows=1000, keep_sample=True)).content["sample"]
    b = analyse_file(path, ContentOptions(sample_rows=1000, keep_sample=True)).content["sample"]
    assert a == b and 1000 <= a["rows"] <= 2000 and a["every_nth_row"] >= 4 and a["of_rows"] == 10000


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary junk\x00\xff" * 200, "binary"),
        (b"<!DOCTYPE html><html><body>Please sign in</body></html>", "HTML page"),
        (b"PK\x03\x04" + b"\x00" * 100, "ZIP archive"),
        (b"\n\n   \n", "no rows"),
        (b"[{\"a\": 1}]", "JSON"),
    ],
)
def test_bad_files_are_one_clear_problem(tmp_path: Path, body: bytes, needle: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(body)
    analysis = analyse_file(path)
    assert analysis.problem is not None and needle in analysis.problem


def test_a_file_cut_off_mid_row_reports_missing_cells(tmp_path: Path) -> None:
    src = (CSV / "nyc_311_service_requests_2016-2019_sample5.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(src[: len(src) - 400])
    analysis = analyse_file(path)
    assert analysis.structure is not None and analysis.structure.errors["missing-cell"] > 0


def test_a_single_huge_line_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    from auditor.table import analyse as analyse_mod

    path = tmp_path / "line.csv"
    with open(path, "wb") as fh:
        fh.write(b"a,b\n1,")
        fh.write(b"x" * (8 << 20))
        fh.write(b"\n")
    options = ContentOptions()
    original = options.scan_options

    def small_blocks() -> object:
        scan = original()
        scan.block_bytes = 1 << 20
        scan.max_block_bytes = 2 << 20
        return scan

    object.__setattr__(options, "scan_options", small_blocks)
    analysis = analyse_mod.analyse_file(path, options)
    assert analysis.problem is not None and "longer than 2 MB" in analysis.problem


def test_gzip_bomb_is_refused_and_leaves_no_temp_file(tmp_path: Path) -> None:
    from auditor.errors import FetchError
    from auditor.table.fetch import gunzip

    bomb = tmp_path / "bomb.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(b"a,b\n")
        chunk = b"1,2\n" * (1 << 18)
        for _ in range(64):  # 64 MB of rows inflated from a few hundred KB
            fh.write(chunk)
    with pytest.raises(FetchError, match="compression bomb"):
        gunzip(bomb, 5_000_000)
    assert sorted(os.listdir(tmp_path)) == ["bomb.csv.gz"]


def test_big_gzip_within_normal_ratio_is_capped(tmp_path: Path) -> None:
    from auditor.table.fetch import gunzip

    rows = tmp_path / "rows.csv.gz"
    rng = random.Random(4)
    with gzip.open(rows, "wb", compresslevel=6) as fh:
        fh.write(b"id,value\n")
        fh.write("".join(f"{i},{rng.random():.12f}\n" for i in range(400_000)).encode())
    out, truncated = gunzip(rows, 2_000_000)
    assert truncated and out.stat().st_size <= 2_000_000
    assert out.read_bytes().endswith(b"\n")  # cut at a line break
    out.unlink()


def test_analysis_leaves_no_temporary_files(tmp_path: Path) -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    analyse_file(late_cp1252(tmp_path))
    assert set(os.listdir(tempfile.gettempdir())) - before == set()


def test_dialect_sniffing_of_plain_text() -> None:
    d = sniff_dialect("a|b|c\n1|2|3\n4|5|6\n")
    assert d.delimiter == "|" and d.header_row == 0 and d.line_ending == "LF"
