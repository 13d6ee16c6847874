"""resource.unique-identifier: an id column identifies one row each."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.table import TableAnalysis


@register
class UniqueIdentifier(TableCheck):
    """Identifier columns (case numbers, request ids, the portal's row identifier) are unique and filled.

    **Why**: people join, deduplicate and cite records by their id. Repeated case numbers
    double-count incidents in every total; missing ids make records impossible to cite or
    to match with the next release.
    **How**: columns are picked by meaning: the platform's declared row identifier, names
    such as ``case_number`` or ``request_id``, or an ``..._id`` first column; a column whose
    values mostly repeat is a category, not an identifier, and is left alone. Every row is
    counted (``expect_column_values_to_be_unique`` and ``..._to_not_be_null`` over all rows).
    """

    id = "resource.unique-identifier"
    question = "sound"
    dimension = Dimension.DATA_QUALITY
    severity = "error"
    weight = 2.0
    title = "Identifiers are unique"
    fix = "Give every row its own identifier; if rows repeat one record (one per victim, per line item), say so."

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Fail on duplicated or missing ids."""
        found = [c for c in table.content.get("identifier") or [] if not c.get("not_an_identifier")]
        if not found:
            yield self.skipped(dataset, "no identifier column found", resource=resource, **table.coverage())
            return
        bad = [c for c in found if c["duplicated_values"] or c["missing"]]
        details = {"columns": found, **table.coverage()}
        if not bad:
            names = ", ".join(c["column"] for c in found)
            yield self.passed(dataset, f"{names}: unique in {table.rows:,} rows", resource=resource, **details)
            return
        parts, worst = [], 1.0
        for c in bad:
            bits = []
            if c["duplicated_values"]:
                ex = c["examples"][0]
                bits.append(f"{c['duplicated_values']:,} values repeated across {c['rows_with_duplicated_value']:,} "
                            f"rows (e.g. {ex['value']!r} on rows {', '.join(map(str, ex['rows']))})")
            if c["missing"]:
                bits.append(f"{c['missing']:,} rows without an id")
            parts.append(f"{c['column']}: " + "; ".join(bits))
            share = (c["rows_with_duplicated_value"] + c["missing"]) / max(c["rows"], 1)
            worst = min(worst, 1.0 - min(1.0, share))
        yield self.failed(dataset, " | ".join(parts), resource=resource, value=round(worst, 4), **details)
