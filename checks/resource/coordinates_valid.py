"""resource.coordinates-valid: latitude and longitude put each row where it is."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.table import TableAnalysis

_WORDS = {
    "out_of_range": "out of range",
    "zero_zero": "at 0,0 (in the Atlantic)",
    "swapped": "with latitude and longitude swapped",
}


@register
class CoordinatesValid(TableCheck):
    """Latitude/longitude columns are in range, not 0,0, not one placeholder point, not swapped.

    **Why**: a map of service requests with a fifth of them piled on City Hall, or a
    cluster in the ocean at 0,0, misleads residents and every analysis by area. Geocoders
    write a default point when they fail; exporting it as a real location hides the failure.
    **How**: every row of each latitude/longitude column pair (found by name) is checked:
    range (``expect_column_values_to_be_between`` -90..90 and -180..180), exact 0,0, a
    single point repeated far more than any other (at least 10 rows, 5% of located rows and
    5 times the next most common point, all configurable), and rows that fall next to the
    dataset's centre only when read the other way round.
    """

    id = "resource.coordinates-valid"
    question = "sound"
    thresholds = {"placeholder_min_share": float, "placeholder_min_rows": int, "placeholder_dominance": float,
                  "centre_rows": int}
    dimension = Dimension.DATA_QUALITY
    weight = 2.0
    title = "Coordinates are plausible"
    fix = ("Leave the coordinates empty when a location is unknown instead of writing 0,0 or a default "
           "point, and check the column order of latitude and longitude.")

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Fail on any problem; the value is the share of located rows without one."""
        pairs = table.content.get("coordinates") or []
        if not pairs:
            yield self.skipped(dataset, "no latitude/longitude columns", resource=resource, **table.coverage())
            return
        details = {"pairs": pairs, **table.coverage()}
        parts, worst = [], 1.0
        for pair in pairs:
            problems = pair["problems"]
            bad = 0
            for key, words in _WORDS.items():
                if key in problems:
                    p = problems[key]
                    bad += p["rows"]
                    parts.append(f"{p['rows']:,} rows {words} (e.g. rows {', '.join(map(str, p['examples']))})")
            if "placeholder" in problems:
                p = problems["placeholder"]
                bad += p["rows"]
                parts.append(f"{p['rows']:,} rows ({p['share']:.0%}) on the same point {p['point']} "
                             f"(the next most common point has {p['next_most_common_rows']})")
            if pair["located"]:
                worst = min(worst, 1.0 - min(1.0, bad / pair["located"]))
        names = ", ".join(f"{p['latitude']}/{p['longitude']}" for p in pairs)
        if not parts:
            located = sum(p["located"] for p in pairs)
            yield self.passed(dataset, f"{names}: {located:,} located rows look plausible", resource=resource,
                              **details)
            return
        yield self.failed(dataset, f"{names}: " + "; ".join(parts), resource=resource, value=round(worst, 4),
                          **details)
