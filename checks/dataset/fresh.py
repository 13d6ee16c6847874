"""dataset.fresh: the data was updated as often as the publisher promised."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register
from auditor.freshness import judge, ladder
from auditor.timeutil import iso


@register
class Fresh(DatasetCheck):
    """The data's age is within its declared update frequency.

    **Why**: a "daily" dataset last touched in spring misleads everyone who relies on it;
    residents see a table that looks current and is not.
    **How**: HDX's ladder (fresh, due, overdue, delinquent) on the age of the *data*
    (Socrata ``rowsUpdatedAt``, CKAN resource ``last_modified`` and the other data dates
    listed in "Where each fact is read"), never on metadata edits. Scored by lateness: full
    marks while fresh, a little less when due, then falling as the data gets later, to
    nothing at twice the delinquent age. Irregular or undeclared schedules are "unknown",
    never "stale", and not scored.
    """

    id = "dataset.fresh"
    question = "up_to_date"
    dimension = Dimension.TIMELINESS
    weight = 3.0
    title = "Up to date"
    fix = "Refresh the data on its declared schedule, or correct the declared frequency."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Judge the data age against the frequency."""
        freq = dataset.schedule()
        state, age = judge(freq, dataset.data_modified, ctx.now)
        updated = iso(dataset.data_modified)
        details: dict[str, Any] = {
            "state": state,
            "declared": freq.label,
            "period_days": freq.days,
            "data_modified": updated,
            "data_modified_field": dataset.provenance.get("data_modified"),
            "age_days": round(age, 1) if age is not None else None,
        }
        day = updated[:10] if updated else ""
        if state == "static":
            yield self.passed(dataset, "declared as not updated (static); data last updated "
                              f"{day or 'on no known date'}", **details)
            return
        if state == "unknown":
            yield self.skipped(dataset, f"freshness unknown: {_why_unknown(dataset, freq.kind)}", **details)
            return
        assert age is not None and freq.judge_days is not None
        steps = ladder(freq.judge_days)
        late = max(0.0, age - steps.due)
        details.update(due_days=round(steps.due, 2), overdue_days=round(steps.overdue, 2),
                       delinquent_days=round(steps.delinquent, 2), late_days=round(late, 1))
        words = {"fresh": "up to date", "due": "due for an update", "overdue": "overdue",
                 "delinquent": "long overdue (delinquent)"}[state]
        message = (f"{words}: data last updated {day} ({_ago(age)}), expected {freq.words()}"
                   + (f"; {_days(late)} late" if late > 0 else ""))
        value = lateness_value(age, steps.due, steps.overdue, steps.delinquent)
        if state in ("fresh", "due"):
            yield self.passed(dataset, message, value=value, **details)
        else:
            yield self.failed(dataset, message, value=value, **details)


def lateness_value(age: float, due: float, overdue: float, delinquent: float) -> float:
    """Credit by lateness: 1 while fresh, 1 -> 0.75 while due, 0.75 -> 0.25 while overdue,
    then 0.25 -> 0 by twice the delinquent age."""
    points = ((due, 1.0), (overdue, 0.75), (delinquent, 0.25), (2 * delinquent, 0.0))
    if age <= due:
        return 1.0
    for (a0, v0), (a1, v1) in zip(points, points[1:], strict=False):
        if age <= a1:
            return round(v0 + (v1 - v0) * (age - a0) / max(a1 - a0, 1e-9), 3)
    return 0.0


def _why_unknown(dataset: Dataset, kind: str) -> str:
    if kind == "periodic":
        if dataset.metadata_modified is not None:
            return (f"the record gives no date for its data (its description was last edited "
                    f"{iso(dataset.metadata_modified)[:10]}, which says nothing about the data)")  # type: ignore[index]
        return "the record gives no date for its data"
    return {"irregular": "updated irregularly, so there is no schedule to be late against",
            "unrecognisable": "the declared schedule is not one the auditor can read",
            "none": "no update schedule declared"}.get(kind, "no regular schedule declared")


def _days(days: float) -> str:
    if days < 1:
        hours = days * 24
        return f"{hours:.0f} hour{'s' if round(hours) != 1 else ''}"
    return f"{days:,.0f} day{'s' if round(days) != 1 else ''}"


def _ago(days: float) -> str:
    return "today" if days < 1 else f"{_days(days)} ago"
