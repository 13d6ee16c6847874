"""The platform's declared column types (Socrata ``dataTypeName``) as a frictionless schema,
and the note when a column follows another clear convention than the one declared."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_SOCRATA_TYPES = {
    "number": {"type": "number"},
    "double": {"type": "number"},
    "checkbox": {"type": "boolean"},
    "calendar_date": {"type": "datetime", "format": "%m/%d/%Y %I:%M:%S %p"},
}


_US_DATETIME = re.compile(r"^\d{2}/\d{2}/\d{4}( \d{2}:\d{2}:\d{2} [AP]M)?$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def declared_schema(schema: Any, labels: Sequence[str], declared: Mapping[str, str],
                    samples: Mapping[str, Sequence[str]] | None = None) -> tuple[Any, bool, list[str]]:
    """The platform's declared column types as a frictionless schema, when the header matches,
    and notes on the conventions the file follows instead.

    A declared date column whose values (in the head of the file) all miss the declared
    export format but are all ISO 8601 is read as ISO 8601, with one note: a file in another
    clear convention is not thousands of type errors.
    """
    from frictionless import Schema

    lookup = {k.strip().lower(): v for k, v in declared.items()}
    if not labels or any(label.strip().lower() not in lookup for label in labels):
        return schema, False, []
    descriptor: dict[str, list[dict[str, str]]] = {"fields": []}
    notes: list[str] = []
    for fl_field, label in zip(schema.fields, labels, strict=False):
        spec: dict[str, str] = {"name": fl_field.name, "type": "string"}
        platform_type = lookup[label.strip().lower()].lower()
        spec.update(_SOCRATA_TYPES.get(platform_type, {}))
        values = [v.strip() for v in (samples or {}).get(label, ()) if v and v.strip()]
        if platform_type == "calendar_date" and values and not any(_US_DATETIME.match(v) for v in values):
            if all(_ISO_DATETIME.match(v) for v in values):
                spec = {"name": fl_field.name, "type": "datetime"}
            elif all(_ISO_DATE.match(v) for v in values):
                spec = {"name": fl_field.name, "type": "date"}
            if "format" not in spec:
                notes.append(f"column {label!r} is declared a date and written in ISO 8601 ({values[0]!r}), "
                             "not in the portal's US-style export format; read as ISO 8601")
        descriptor["fields"].append(spec)
    return Schema.from_descriptor(descriptor), True, notes


def column_samples(head: str, dialect: Any, labels: Sequence[str], rows: int = 200) -> dict[str, list[str]]:
    """Up to ``rows`` values of each column from the head of the file (after title rows)."""
    import csv
    import io

    reader = csv.reader(io.StringIO(head, newline=""), delimiter=dialect.delimiter)
    out: dict[str, list[str]] = {label: [] for label in labels}
    skip = dialect.header_row + 1  # records, not lines: a quoted cell may hold a line break
    try:
        for n, row in enumerate(reader):
            if n >= skip + rows:
                break
            if n >= skip:
                for label, value in zip(labels, row, strict=False):
                    out[label].append(value)
    except csv.Error:
        pass
    return out
