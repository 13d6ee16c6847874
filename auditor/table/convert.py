"""XLSX and legacy XLS workbooks and SODA JSON arrays, turned into CSV so one pipeline reads
every table (openpyxl for XLSX, xlrd for the binary XLS format)."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path
from typing import Any


def to_csv(path: Path, fmt: str, max_bytes: int) -> Path | str:
    """A CSV next to ``path``, or a one-line reason the file is not a table of that format."""
    out = path.with_suffix(".csv")
    try:
        if fmt == "XLSX":
            reason = _xlsx(path, out, max_bytes)
        elif fmt == "XLS":
            reason = _xls(path, out, max_bytes)
        else:
            reason = _json(path, out)
    except Exception as exc:  # noqa: BLE001 - a broken workbook is a finding, not a crash
        out.unlink(missing_ok=True)
        return f"cannot read the {fmt} file: {type(exc).__name__}: {str(exc)[:160]}"
    if reason:
        out.unlink(missing_ok=True)
        return reason
    return out


def _xlsx(path: Path, out: Path, max_bytes: int) -> str | None:
    if not zipfile.is_zipfile(path):
        return "the file is not an XLSX workbook"
    with zipfile.ZipFile(path) as archive:
        # A workbook that inflates far beyond its cap is a zip bomb, not a spreadsheet.
        inflated = sum(info.file_size for info in archive.infolist())
        if inflated > max(max_bytes * 10, 1 << 26):
            return f"the workbook would inflate to {inflated / 1e6:.0f} MB; not opened"
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return "the workbook has no sheets"
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(["" if v is None else _cell(v) for v in row])
                if fh.tell() > max_bytes:
                    break
    finally:
        book.close()
    return None


def _xls(path: Path, out: Path, max_bytes: int) -> str | None:
    """The first sheet of a legacy (BIFF, Excel 97-2003) workbook."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic[:4] != b"\xd0\xcf\x11\xe0":
        if magic[:4] == b"PK\x03\x04":
            return _xlsx(path, out, max_bytes)  # an XLSX named .xls: read it as what it is
        return "the file is not an XLS workbook"
    import datetime as dt

    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        if not book.nsheets:
            return "the workbook has no sheets"
        # The first sheet that holds anything: a blank cover sheet is not the table.
        sheet = next((book.sheet_by_index(i) for i in range(book.nsheets) if book.sheet_by_index(i).nrows),
                     book.sheet_by_index(0))
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for r in range(sheet.nrows):
                row = []
                for cell in sheet.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        value: Any = xlrd.xldate_as_datetime(cell.value, book.datemode)
                        row.append(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
                    elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                        row.append(str(int(cell.value)))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append("true" if cell.value else "false")
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        row.append("")
                    else:
                        row.append(_cell(cell.value))
                writer.writerow(row)
                if fh.tell() > max_bytes:
                    break
    finally:
        book.release_resources()
    return None


def _cell(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _json(path: Path, out: Path) -> str | None:
    with open(path, encoding="utf-8-sig") as fh:
        try:
            data = json.load(fh)
        except (ValueError, RecursionError) as exc:
            return f"the JSON is malformed: {str(exc)[:120]}"
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        return "the JSON is not an array of records"
    fields: dict[str, None] = {}
    for record in data:
        for key in record:
            fields.setdefault(str(key), None)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(list(fields))
        for record in data:
            writer.writerow([_json_cell(record.get(k)) for k in fields])
    return None


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)
