"""Header shapes, quoting habits and file kinds that real portals serve, each read right:
a small file written for the test, and the real file of that kind where one was found."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.table import analyse_file
from auditor.table.analyse import TableAnalysis

PEERS = Path(__file__).parent / "fixtures" / "peers" / "frictionless"
DEMO_FILES = Path(__file__).parent.parent / "auditor" / "demo" / "data" / "files"


def read(tmp_path: Path, body: bytes, name: str = "t.csv") -> TableAnalysis:
    path = tmp_path / name
    path.write_bytes(body)
    return analyse_file(path)


def errors(analysis: TableAnalysis) -> dict[str, int]:
    assert analysis.problem is None, analysis.problem
    assert analysis.structure is not None
    counts = collections.Counter(analysis.structure.errors)
    for err in analysis.header_errors:
        counts[err.type] += 1
    return dict(+counts)


# -- a header cell with a line break inside quotes -----------------------------------------

def test_a_quoted_line_break_in_the_header_is_one_header(tmp_path: Path) -> None:
    analysis = read(tmp_path, b'id,"Amount\n(USD)",city\n1,10,Rome\n2,20,Oslo\n')
    assert errors(analysis) == {}
    assert analysis.labels == ["id", "Amount\n(USD)", "city"] and analysis.rows == 2


def test_istat_municipalities_read_without_false_errors() -> None:
    """ISTAT's list (frictionless issue 811): Windows-1252, semicolons, two header cells
    with quoted line breaks."""
    analysis = analyse_file(PEERS / "issue-811.csv")
    assert errors(analysis) == {}
    assert analysis.info is not None and analysis.info.label == "Windows-1252"
    assert analysis.dialect is not None and analysis.dialect.header_lines == 3
    assert any("\n" in label for label in analysis.labels)


# -- blank header cells are labels, not titles ---------------------------------------------

@pytest.mark.parametrize("body", [b"id,,age\n1,John,30\n2,Ann,31\n", b"id,,age,city\n1,John,30,Rome\n2,Ann,31,Oslo\n"])
def test_a_blank_label_is_not_a_title_row(tmp_path: Path, body: bytes) -> None:
    analysis = read(tmp_path, body)
    assert analysis.dialect is not None and analysis.dialect.header_row == 0
    assert errors(analysis) == {"blank-label": 1}


def test_frictionless_structure_errors_keeps_its_header() -> None:
    analysis = analyse_file(PEERS / "structure-errors.csv")
    assert analysis.dialect is not None and analysis.dialect.header_row == 0
    assert analysis.labels == ["id", "name", "age"]


def test_real_title_rows_are_still_skipped(tmp_path: Path) -> None:
    body = b"Spending over 25k,,,\nSource: Council,,,\nid,date,supplier,amount\n1,2024-01-02,Acme,100\n2,2024-01-03,Beta,200\n"
    analysis = read(tmp_path, body)
    assert analysis.dialect is not None and analysis.dialect.header_row == 2
    assert errors(analysis) == {}


# -- a space after the delimiter, before a quote --------------------------------------------

def test_space_before_quoted_cells_is_layout(tmp_path: Path) -> None:
    analysis = read(tmp_path, b'"int", "number", "string"\n"1", "2.3", "string"\n"", "4.3", "string"\n')
    assert errors(analysis) == {}
    assert analysis.dialect is not None and analysis.dialect.skip_initial_space
    assert [t for _, t in analysis.fields][:2] == ["integer", "number"]


def test_frictionless_issue_1109() -> None:
    assert errors(analyse_file(PEERS / "issue-1109.csv")) == {}


def test_quoted_commas_after_spaces_invent_no_title_row(tmp_path: Path) -> None:
    analysis = read(tmp_path, b'id, name, score\n1, "Smith, John", 10\n2, "Doe, Jane", 20\n3, "Roe, Ann", 30\n')
    assert analysis.dialect is not None and analysis.dialect.header_row == 0
    assert analysis.labels == ["id", "name", "score"] and errors(analysis) == {}


# -- every malformed row is judged --------------------------------------------------------

def test_type_errors_in_malformed_rows_are_all_counted(tmp_path: Path) -> None:
    rows = ["id,amount,name"] + [f"{i},{i}" if i < 200 else f"{i},{'bad' if i % 3 == 0 else i}" for i in range(3200)]
    analysis = read(tmp_path, ("\n".join(rows) + "\n").encode())
    assert errors(analysis) == {"missing-cell": 3200, "type-error": 1000}
    assert analysis.structure is not None and analysis.structure.malformed_estimated == 0


# -- tiny files ---------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"a,b", b"id,name,age", b"id,name,age\n", b"id,name,age\r\n"])
def test_a_header_without_rows_is_said_plainly(tmp_path: Path, body: bytes) -> None:
    analysis = read(tmp_path, body)
    assert analysis.problem is None and analysis.rows == 0


def test_a_header_only_file_fails_table_valid_with_the_right_words(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(b"a,b")
    out = subprocess.run([sys.executable, "-m", "auditor", "validate", str(path), "--format", "json"],
                         capture_output=True, text=True, check=False)
    doc = json.loads(out.stdout)
    (valid,) = [f for f in doc["findings"] if f["check"] == "resource.table-valid"]
    assert valid["message"] == "the table has a header but no data rows"
    assert "longer than" not in out.stdout


# -- a NUL byte is judged the same wherever it stands ---------------------------------------

def test_a_stray_nul_byte_early_or_late_gets_one_verdict(tmp_path: Path) -> None:
    rows = [f"{i},name{i}" for i in range(2000)]
    early = "id,name\n" + "\n".join(["1,a\x00b", *rows]) + "\n"
    late = "id,name\n" + "\n".join([*rows, "1,a\x00b"]) + "\n"
    first, last = read(tmp_path, early.encode(), "early.csv"), read(tmp_path, late.encode(), "late.csv")
    assert first.problem is None and last.problem is None
    assert errors(first) == errors(last)


def test_real_binary_is_still_binary(tmp_path: Path) -> None:
    analysis = read(tmp_path, bytes(range(256)) * 64, "blob.csv")
    assert analysis.problem == "the file holds binary data, not text"


# -- file kinds -------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"[id],name\n1,a\n2,b\n", b"{id},name\n1,a\n"])
def test_a_csv_whose_first_cell_starts_with_a_bracket_is_a_csv(tmp_path: Path, body: bytes) -> None:
    assert errors(read(tmp_path, body)) == {}


def test_json_is_still_json(tmp_path: Path) -> None:
    assert read(tmp_path, b'[{"a": 1}, {"a": 2}]', "x.csv").problem == "the file is JSON, not a table"


def validate(path: Path, *extra: str) -> tuple[int, dict]:
    out = subprocess.run([sys.executable, "-m", "auditor", "validate", str(path), "--format", "json", *extra],
                         capture_output=True, text=True, check=False)
    return out.returncode, json.loads(out.stdout)


@pytest.mark.parametrize(("name", "rows"), [("table.xls", 2), ("sheet2.xls", 2), ("table-with-ints-floats-dates.xls", 3)])
def test_legacy_xls_is_read(name: str, rows: int) -> None:
    code, doc = validate(PEERS / name, "--fail-on", "error")
    assert code == 0 and doc["file"]["rows"] == rows
    assert {f["check"]: f["status"] for f in doc["findings"]}["resource.table-valid"] == "pass"


def test_a_broken_xls_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    code, doc = validate(path, "--fail-on", "error")
    assert code == 1
    (valid,) = [f for f in doc["findings"] if f["check"] == "resource.table-valid"]
    assert valid["status"] == "fail" and "cannot read the XLS file" in valid["message"]


def test_a_local_soda_json_array_is_validated_like_csv() -> None:
    code, doc = validate(DEMO_FILES / "soda_resource_songs_unicode.json")
    statuses = {f["check"]: f["status"] for f in doc["findings"]}
    assert code == 0 and doc["file"]["rows"] == 10
    assert statuses["resource.table-valid"] == "pass" and statuses["resource.completeness"] == "pass"


def test_greek_iso_8859_7_is_read_as_greek(tmp_path: Path) -> None:
    text = "Δήμος,Περιφέρεια,Πληθυσμός\nΆγιος Νικόλαος,Κρήτη,27074\nΑθήνα,Αττική,664046\nΘεσσαλονίκη,Μακεδονία,325182\n"
    analysis = read(tmp_path, text.encode("iso8859_7"))
    assert analysis.info is not None and analysis.info.label == "ISO-8859-7"
    assert "Windows-1252" in analysis.info.candidates and "ISO-8859-7" in analysis.info.candidates
    assert analysis.labels == ["Δήμος", "Περιφέρεια", "Πληθυσμός"]


@pytest.mark.parametrize(("codec", "label", "text"), [
    ("cp1252", "Windows-1252", "city,name\nZürich,Genève\nMünchen,Köln\nCafé,Señor\n"),
    ("cp1250", "Windows-1250", "miasto,nazwa\nKraków,Łódź\nGdańsk,Wrocław\nŻółć,źdźbło\n"),
    ("cp1251", "Windows-1251", "город,регион\nМосква,Центральный\nНовосибирск,Сибирь\n"),
])
def test_legacy_encodings_chosen_by_evidence(tmp_path: Path, codec: str, label: str, text: str) -> None:
    analysis = read(tmp_path, text.encode(codec))
    assert analysis.info is not None and analysis.info.label == label
    assert analysis.labels == text.splitlines()[0].split(",")
