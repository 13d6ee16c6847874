"""resource.table-valid: the file parses as one clean table (frictionless' structural errors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.errors import FetchError
from auditor.table import TableAnalysis


def coverage_note(table: TableAnalysis) -> str:
    """A suffix saying when only the first part of a file was read."""
    if not table.truncated or table.info is None:
        return ""
    total = f" of {table.source_bytes / 1e6:,.0f} MB" if table.source_bytes else ""
    return f" (only the first {table.info.size / 1e6:,.0f} MB{total} checked)"


@register
class TableValid(TableCheck):
    """The file reads as one rectangular table with one header row.

    **Why**: blank or duplicate column names, blank rows, rows with missing or extra cells,
    and values that do not match the column's type break spreadsheets, scripts and the
    portal's own previews; title lines above the header make every tool take a title for
    the column names. Residents meet these first, before any analysis.
    **How**: frictionless' schema inference and error vocabulary (``blank-label``,
    ``duplicate-label``, ``blank-row``, ``extra-cell``, ``missing-cell``, ``type-error``)
    applied to every row by a fast pyarrow pass; types are the platform's declared ones
    (Socrata ``dataTypeName``) when the header matches them, else inferred.
    """

    id = "resource.table-valid"
    question = "sound"
    dimension = Dimension.DATA_QUALITY
    severity = "error"
    weight = 3.0
    title = "Table is well formed"
    fix = ("Export the table from its source system as one header row followed by data rows; remove title "
           "lines, blank rows and stray delimiters; fix the values the examples point at.")

    def unavailable(self, resource: Resource, dataset: Dataset, error: FetchError) -> Iterator[Finding]:
        """A download that failed is an error: the table could not be judged."""
        yield self.errored(dataset, f"could not download the file: {error}", resource=resource,
                           kind=error.kind, status=error.status)

    def not_a_table(self, resource: Resource, dataset: Dataset, table: TableAnalysis) -> Iterator[Finding]:
        """A file that is no table at all is the worst structural failure."""
        details: dict[str, Any] = {"problem": table.problem}
        if table.info is not None:
            details.update(table.info.details())
        yield self.failed(dataset, str(table.problem), resource=resource, **details)

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Count errors by frictionless type and turn them into a share of clean rows."""
        assert table.structure is not None and table.dialect is not None and table.info is not None
        structure = table.structure
        errors = dict(structure.errors)
        for err in table.header_errors:
            errors[err.type] = errors.get(err.type, 0) + 1
        details: dict[str, Any] = {
            **structure.as_details(),
            "errors": dict(sorted(errors.items())),
            "header_errors": [e.as_dict() for e in table.header_errors[:5]],
            "encoding": table.info.label,
            "dialect": table.dialect.details(),
            "schema": {"source": table.schema_source,
                       "fields": [{"name": n, "type": t} for n, t in table.fields],
                       "conventions": list(table.schema_notes)},
            **table.coverage(),
        }
        parts = []
        row_errors = sum(n for k, n in structure.errors.items())
        value = 1.0 - min(1.0, row_errors / max(structure.rows, 1))
        if table.header_errors:
            value *= 0.75
            parts.append(_plural(len(table.header_errors), "header problem"))
        titles = len(table.dialect.title_rows)
        if titles:
            value *= 0.5
            parts.append(f"{_plural(titles, 'row')} above the header (titles or notes)")
        for kind, n in sorted(structure.errors.items(), key=lambda kv: (-kv[1], kv[0])):
            parts.append(f"{n:,} {kind}{'s' if n != 1 else ''}")
        note = coverage_note(table)
        if table.schema_notes:
            note += "; " + "; ".join(table.schema_notes[:3])
        if structure.rows == 0:
            yield self.failed(dataset, "the table has a header but no data rows", resource=resource, **details)
            return
        if not parts:
            yield self.passed(dataset, f"{structure.rows:,} rows, {len(table.fields)} columns, no structural "
                              f"errors{note}", resource=resource, **details)
            return
        yield self.failed(dataset, "; ".join(parts) + f" in {structure.rows:,} rows{note}",
                          resource=resource, value=round(value, 4), **details)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"
