"""Declared update frequencies, and data age judged against them.

The ladder is HDX's (fresh, due, overdue, delinquent) with udata's one-day grace before
"due", extended to hourly and yearly schedules. A dataset whose frequency is irregular,
undeclared or unparseable is "unknown", never "stale": flagging old-looking data that was
never promised to change would cast aspersions on publishers who did nothing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auditor.frequency import HOUR, Frequency, parse_frequency

__all__ = ["HOUR", "Frequency", "Ladder", "judge", "ladder", "parse_frequency"]


@dataclass(frozen=True)
class Ladder:
    """Age thresholds in days: fresh below ``due``, then due, overdue, delinquent."""

    due: float
    overdue: float
    delinquent: float


def ladder(days: float, grace: float = 1.0) -> Ladder:
    """Thresholds for a period of ``days``: ``grace`` days before "due", then HDX's margins.

    HDX publishes daily (1/2/3), weekly (7/14/21), fortnightly (14/21/28), monthly
    (30/44/60) and quarterly (90/120/150) as due/overdue/delinquent ages. We add udata's
    one-day harvest grace before "due" (pushing daily to 2/3/4 so the steps stay apart),
    and give schedules longer than a quarter 60 and 90 days of margin.
    """
    if days <= 1:
        margins = (2.0, 3.0)
    elif days <= 14:
        margins = (7.0, 14.0)
    elif days <= 31:
        margins = (14.0, 30.0)
    elif days <= 92:
        margins = (30.0, 60.0)
    else:
        margins = (60.0, 90.0)
    return Ladder(days + grace, days + max(margins[0], grace), days + margins[1])


def judge(freq: Frequency, data_modified: datetime | None, now: datetime) -> tuple[str, float | None]:
    """The freshness state and the data age in days.

    States: fresh, due, overdue, delinquent, static (never meant to change), unknown.
    """
    if freq.kind == "static":
        return "static", _age(data_modified, now)
    period = freq.judge_days
    if period is None or data_modified is None:
        return "unknown", _age(data_modified, now)
    age = _age(data_modified, now) or 0.0
    steps = ladder(period)
    if age <= steps.due:
        return "fresh", age
    if age <= steps.overdue:
        return "due", age
    if age <= steps.delinquent:
        return "overdue", age
    return "delinquent", age


def _age(when: datetime | None, now: datetime) -> float | None:
    if when is None:
        return None
    return max(0.0, (now - when).total_seconds() / 86400)
