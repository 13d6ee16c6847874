"""Frictionless' view of a table: its schema, its header errors, and exact row errors.

Frictionless is the reference for structure: its schema inference, its cell casting and its
error vocabulary (``blank-label``, ``extra-cell``, ``type-error``...) are what a data
publisher can look up. It reads about 14 MB/s, so it is not run over whole files. Instead:

* it infers the schema and checks the header on the head of the file (its own sample is
  the first 100 rows, so the schema is the one it would infer on the whole file);
* the fast pass (``scan.py``) reads every row with pyarrow and asks frictionless' own
  field readers about each *distinct* suspicious value, so type errors are frictionless'
  verdicts, not a reimplementation;
* rows with the wrong number of cells are handed to frictionless, as a small CSV, for its
  exact errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.table.sniff import Dialect

LABEL_ERRORS = frozenset({"blank-label", "duplicate-label", "incorrect-label", "extra-label",
                          "missing-label", "blank-header", "header-error", "label-error"})
HEAD_RECORDS = 1000
_UNTYPED = frozenset({"string", "any"})


@dataclass(frozen=True)
class RowError:
    """One frictionless error located in the file."""

    type: str
    row: int | None
    field: str | None
    cell: str | None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        out: dict[str, Any] = {"type": self.type}
        if self.row is not None:
            out["row"] = self.row
        if self.field:
            out["field"] = self.field
        if self.cell is not None:
            out["cell"] = self.cell[:80]
        if self.note:
            out["note"] = self.note[:160]
        return out


def _fl_dialect(dialect: Dialect, header_row: int | None) -> Any:
    from frictionless import Dialect as FlDialect
    from frictionless import formats

    control = formats.CsvControl(delimiter=dialect.delimiter, skip_initial_space=dialect.skip_initial_space)
    if header_row is None:
        return FlDialect(header=False, controls=[control])
    return FlDialect(header_rows=[header_row + 1], controls=[control])


def infer_schema(head: str, dialect: Dialect) -> tuple[Any, list[str], list[RowError]]:
    """(frictionless Schema, header labels, header errors) from the head of the file."""
    from frictionless import Resource, validate

    # Frictionless infers from its first 100 rows; the first 1,000 lines cover them and keep
    # its own reading cheap.
    lines = head.splitlines(keepends=True)
    data = "".join(lines[: dialect.header_lines + HEAD_RECORDS]).encode("utf-8")
    resource = Resource(data, format="csv", encoding="utf-8", dialect=_fl_dialect(dialect, dialect.header_row))
    resource.infer()
    report = validate(Resource(data, format="csv", encoding="utf-8",
                               dialect=_fl_dialect(dialect, dialect.header_row), schema=resource.schema),
                      limit_rows=1)
    errors: list[RowError] = []
    for task in report.tasks:
        for err in task.errors:
            if err.type in LABEL_ERRORS:
                errors.append(RowError(err.type, None, getattr(err, "field_name", None),
                                       getattr(err, "label", None), err.note))
            elif err.type in ("source-error", "scheme-error", "format-error", "encoding-error"):
                raise ValueError(err.note or err.type)
    labels = list(getattr(resource, "labels", None) or [])
    return resource.schema, labels, errors


def check_rows(texts: Sequence[tuple[int, str]], schema: Any, delimiter: str,
               skip_initial_space: bool = False) -> list[RowError]:
    """Frictionless' exact errors for malformed rows, given as (record number, raw text)."""
    if not texts:
        return []
    from frictionless import Dialect as FlDialect
    from frictionless import Resource, formats, validate

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow([f.name for f in schema.fields])
    for _, text in texts:
        buf.write(text.replace("\r\n", "\n").rstrip("\n") + "\n")
    resource = Resource(buf.getvalue().encode("utf-8"), format="csv", encoding="utf-8", schema=schema,
                        dialect=FlDialect(header_rows=[1], controls=[formats.CsvControl(
                            delimiter=delimiter, skip_initial_space=skip_initial_space)]))
    report = validate(resource, limit_errors=len(texts) * (len(schema.fields) + 2) + 10)
    out: list[RowError] = []
    numbers = [n for n, _ in texts]
    for task in report.tasks:
        for err in task.errors:
            if err.type in LABEL_ERRORS:
                continue
            mini = getattr(err, "row_number", None)
            row = numbers[mini - 2] if isinstance(mini, int) and 2 <= mini < len(numbers) + 2 else None
            out.append(RowError(err.type, row, getattr(err, "field_name", None) or None,
                                getattr(err, "cell", None), err.note))
    return out


# -- fast validity tests ----------------------------------------------------------------
# Each test accepts only values that frictionless' reader for that type certainly accepts;
# everything else is *suspicious* and goes to the reader itself. So a fast test can be
# incomplete without ever changing a verdict.

_YEAR = r"^[0-9]{4}$"
_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
# Day-of-month by month, without 29 February (a leap day goes to frictionless' own reader).
_DAY = r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
_DATE = rf"^[0-9]{{4}}-{_DAY}$"
_DATETIME = (rf"^[0-9]{{4}}-{_DAY}[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
             r"(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$")


def fast_test(field: Any) -> Callable[[Any, int], Any] | None:
    """A vectorised test ``(block, column) -> BooleanArray`` of certainly-valid cells, or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ftype = field.type
    fmt = getattr(field, "format", "default")

    def regex(pattern: str) -> Callable[[Any, int], Any]:
        return lambda block, i: pc.match_substring_regex(block.column(i), pattern)

    def integer(block: Any, i: int) -> Any:
        # ASCII digits only: Python's int() takes them all (it also takes more, which the
        # reader then decides).
        col = block.column(i)
        ok = pc.ascii_is_decimal(col)
        negative = pc.starts_with(col, "-")
        if pc.any(negative).as_py():
            ok = pc.or_(ok, pc.and_(negative, pc.ascii_is_decimal(pc.utf8_slice_codeunits(col, 1))))
        return ok

    def number(block: Any, i: int) -> Any:
        # Arrow's float parser accepts a subset of what Decimal() accepts.
        return pc.is_valid(block.floats(i))

    if ftype == "integer" and getattr(field, "bare_number", True):
        return integer
    if ftype == "number" and getattr(field, "bare_number", True) and not getattr(field, "group_char", "") \
            and getattr(field, "decimal_char", ".") == ".":
        return number
    if ftype == "boolean":
        values = pa.array(list(field.true_values) + list(field.false_values), type=pa.string())
        return lambda block, i: pc.is_in(block.column(i), value_set=values)
    if ftype == "year":
        return regex(_YEAR)
    if ftype == "time" and fmt == "default":
        return regex(_TIME)
    if ftype in ("date", "datetime") and fmt == "default":
        from auditor.table.arrow import calendar_valid

        pattern = _DATE if ftype == "date" else _DATETIME
        return lambda block, i: calendar_valid(field, block, i,
                                               lambda arr: pc.match_substring_regex(arr, pattern))
    return None


def needs_check(field: Any) -> bool:
    """Whether values of this field can be type errors at all."""
    return field.type not in _UNTYPED or bool(getattr(field, "constraints", None))


def reader(field: Any) -> Callable[[str], str | None]:
    """Frictionless' own verdict on one cell: None when valid, else the error type."""
    def verdict(cell: str) -> str | None:
        _, notes = field.read_cell(cell)
        if not notes:
            return None
        return "type-error" if "type" in notes else "constraint-error"
    return verdict

