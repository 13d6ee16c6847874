"""dataset.fresh: the data was updated as often as the publisher promised."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register
from auditor.freshness import judge, parse_frequency
from auditor.timeutil import iso

_VALUES = {"fresh": 1.0, "due": 0.75, "overdue": 0.25, "delinquent": 0.0}


@register
class Fresh(DatasetCheck):
    """The data's age is within its declared update frequency.

    **Why**: a "daily" dataset last touched in spring misleads everyone who relies on it;
    residents see a table that looks current and is not.
    **How**: the HDX ladder (fresh, due, overdue, delinquent) on the age of the *data*
    (Socrata ``rowsUpdatedAt``, CKAN resource ``last_modified``), never on metadata edits.
    Irregular or undeclared schedules are "unknown", never "stale", and not scored.
    """

    id = "dataset.fresh"
    dimension = Dimension.TIMELINESS
    weight = 3.0
    title = "Up to date"
    fix = "Refresh the data on its declared schedule, or correct the declared frequency."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Judge the data age against the frequency."""
        freq = parse_frequency(dataset.update_frequency)
        state, age = judge(freq, dataset.data_modified, ctx.now)
        details: dict[str, Any] = {
            "state": state,
            "declared": freq.label,
            "period_days": freq.days,
            "data_modified": iso(dataset.data_modified),
            "age_days": round(age, 1) if age is not None else None,
        }
        if state == "static":
            yield self.passed(dataset, "declared as not updated", **details)
        elif state == "unknown":
            why = ("no data update time" if dataset.data_modified is None and freq.kind == "periodic"
                   else "no regular schedule declared")
            yield self.skipped(dataset, f"freshness unknown: {why}", **details)
        elif state in ("fresh", "due"):
            yield self.passed(dataset, f"{state}: updated {age:.0f} days ago, expected every "
                              f"{_period(freq.days)}", value=_VALUES[state], **details)
        else:
            yield self.failed(dataset, f"{state}: updated {age:.0f} days ago, expected every "
                              f"{_period(freq.days)}", value=_VALUES[state], **details)


def _period(days: float | None) -> str:
    if days is None:
        return "?"
    if days < 1:
        return f"{days * 24:.0f} hours"
    return f"{days:.0f} days"
