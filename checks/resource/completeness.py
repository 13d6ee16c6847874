"""resource.completeness: columns are mostly filled in."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.table import TableAnalysis


@register
class Completeness(TableCheck):
    """No column is mostly empty.

    **Why**: a published column that is empty in most rows promises information that is
    not there; an entirely empty column usually means an export lost a field. Residents
    cannot tell "not applicable" from "not collected".
    **How**: for every column, the share of empty cells over all rows (blank rows aside);
    cells with only spaces or a null marker (``NULL``, ``N/A``, ``#N/A``...) count as empty.
    A column fails above ``max_empty_share`` (default 0.5, in the rubric). The value is the
    share of columns within the threshold (``expect_column_values_to_not_be_null`` with
    ``mostly`` = 1 - threshold).
    """

    id = "resource.completeness"
    question = "sound"
    thresholds = {"max_empty_share": float}
    dimension = Dimension.DATA_QUALITY
    weight = 1.0
    title = "Columns are filled in"
    fix = "Fill in or drop the mostly empty columns, and document what an empty cell means in the column description."

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Fail when a column's empty share passes the threshold."""
        result = table.content.get("completeness") or {}
        columns = result.get("columns") or []
        if not columns or not result.get("rows"):
            yield self.skipped(dataset, "no data rows", resource=resource, **table.coverage())
            return
        limit = float(ctx.threshold(self.id, "max_empty_share", 0.5))
        over = [c for c in columns if c["share"] > limit]
        empty = [c["column"] for c in columns if c["share"] >= 1.0]
        details = {"max_empty_share": limit, "columns_over": over, "empty_columns": empty,
                   "mean_filled_share": round(1 - sum(c["share"] for c in columns) / len(columns), 4),
                   "expectation": "expect_column_values_to_not_be_null", **table.coverage()}
        if not over:
            yield self.passed(dataset, f"all {len(columns)} columns at most {limit:.0%} empty", resource=resource,
                              **details)
            return
        worst = sorted(over, key=lambda c: (-c["share"], c["column"]))[:3]
        shown = ", ".join(f"{c['column'] or '(unnamed)'} {c['share']:.0%}" for c in worst)
        more = f" and {len(over) - 3} more" if len(over) > 3 else ""
        text = f"{len(over)} of {len(columns)} columns more than {limit:.0%} empty ({shown}{more})"
        if empty:
            text += f"; {len(empty)} entirely empty"
        yield self.failed(dataset, text, resource=resource, value=round(1 - len(over) / len(columns), 4), **details)
