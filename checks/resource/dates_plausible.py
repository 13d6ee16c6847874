"""resource.dates-plausible: no dates far in the future, no sentinel dates."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.table import TableAnalysis


@register
class DatesPlausible(TableCheck):
    """Date columns hold real dates: none far in the future, no 1900-01-01 or 1970-01-01 clusters.

    **Why**: a system that writes 1900-01-01 or 1970-01-01 (the zero of its clock) for an
    unknown date, or a typo year like 2109, silently skews every trend and every "how long
    did it take" a resident computes.
    **How**: date columns are found by type and name, and their format is learned from
    their values (ISO, US ``MM/DD/YYYY hh:mm:ss AM``, day-first, ``YYYYMMDD``...). Every row
    is checked. A date more than ``future_days`` (366) after the audit is flagged unless the
    column is about the future (due, target, expiry, planned...). Sentinel dates count when
    they repeat (``sentinel_min_rows`` 3 or ``sentinel_min_share`` 1%).
    """

    id = "resource.dates-plausible"
    question = "sound"
    thresholds = {"future_days": float, "sentinel_min_rows": int, "sentinel_min_share": float}
    dimension = Dimension.DATA_QUALITY
    weight = 1.0
    title = "Dates are plausible"
    fix = "Leave unknown dates empty instead of writing a placeholder date, and correct mistyped years."

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Fail on future or sentinel dates; the value is the share of dates without a problem."""
        columns = table.content.get("dates") or []
        if not columns:
            yield self.skipped(dataset, "no date columns recognised", resource=resource, **table.coverage())
            return
        details = {"columns": columns, **table.coverage()}
        parts, worst = [], 1.0
        for col in columns:
            problems = col["problems"]
            bad = 0
            if "future" in problems:
                p = problems["future"]
                bad += p["rows"]
                parts.append(f"{col['column']}: {p['rows']:,} dates more than {p['after_days']:g} days in the "
                             f"future (latest {col['max']}, e.g. rows {', '.join(map(str, p['examples']))})")
            if "sentinel" in problems:
                p = problems["sentinel"]
                bad += p["rows"]
                values = ", ".join(f"{v} x{n}" for v, n in p["values"].items())
                parts.append(f"{col['column']}: placeholder dates {values} (e.g. rows "
                             f"{', '.join(map(str, p['examples']))})")
            if col["parsed"]:
                worst = min(worst, 1.0 - min(1.0, bad / col["parsed"]))
        if not parts:
            names = ", ".join(c["column"] for c in columns)
            yield self.passed(dataset, f"{names}: dates look plausible", resource=resource, **details)
            return
        yield self.failed(dataset, "; ".join(parts), resource=resource, value=round(worst, 4), **details)
