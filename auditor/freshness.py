"""Declared update frequencies, and data age judged against them.

The ladder is HDX's (fresh, due, overdue, delinquent) with udata's one-day grace before
"due", extended to hourly and yearly schedules. A dataset whose frequency is irregular,
undeclared or unparseable is "unknown", never "stale": flagging old-looking data that was
never promised to change would cast aspersions on publishers who did nothing wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

HOUR = 1 / 24


@dataclass(frozen=True)
class Frequency:
    """A parsed declared frequency. ``days`` is set only for periodic schedules."""

    label: str
    kind: str  # periodic | irregular | static | unknown
    days: float | None = None


# Checked in order; the first pattern that matches the normalised text wins.
_WORDS: tuple[tuple[str, str, float | None], ...] = (
    (r"static|not updated|no longer updated|never|notplanned|not planned|historical|"
     r"keine nachf|nicht nachgef|archiv|discontinued|one[- ]?time|once", "static", None),
    (r"irregular|as needed|asneeded|ad ?hoc|sporadi|unregelm|unknown|other|infrequent|"
     r"as required|when available|eventual|continuous|real[- ]?time|event|unbekannt|"
     r"laufend", "irregular", None),
    (r"hourly|stündlich|stuendlich|every hour", "periodic", HOUR),
    (r"twice (a|per) day|2x daily", "periodic", 0.5),
    (r"daily|every day|täglich|taeglich|quotidien|business day|weekday", "periodic", 1),
    (r"bi-?weekly|fortnight|every two weeks|2 weeks|14 days", "periodic", 14),
    (r"weekly|every week|wöchentlich|woechentlich|hebdo", "periodic", 7),
    (r"semi-?monthly|twice (a|per) month", "periodic", 15),
    (r"bi-?monthly|every two months", "periodic", 61),
    (r"monthly|every month|monatlich|mensuel", "periodic", 31),
    (r"quarter|quartal|trimest", "periodic", 92),
    (r"semi-?annual|bi-?annual|half[- ]?year|twice (a|per) year|every six months|"
     r"halbjährlich|halbjaehrlich|semest", "periodic", 183),
    (r"biennial|every two years|2 years|zweijährlich", "periodic", 730),
    (r"triennial|every three years|3 years", "periodic", 1096),
    (r"annual|yearly|every year|jährlich|jaehrlich|annuel|year", "periodic", 366),
)
_ISO = re.compile(r"^(?:R/)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")
# DCAT / EU frequency vocabulary codes (http://publications.europa.eu/resource/authority/frequency/).
_EU_CODES = {
    "CONT": ("irregular", None), "UPDATE_CONT": ("irregular", None), "IRREG": ("irregular", None),
    "UNKNOWN": ("irregular", None), "OTHER": ("irregular", None), "NEVER": ("static", None),
    "NOT_PLANNED": ("static", None), "AS_NEEDED": ("irregular", None),
    "HOURLY": ("periodic", HOUR), "DAILY": ("periodic", 1.0), "DAILY_2": ("periodic", 0.5),
    "WEEKLY": ("periodic", 7.0), "WEEKLY_2": ("periodic", 3.5), "BIWEEKLY": ("periodic", 14.0),
    "MONTHLY": ("periodic", 31.0), "MONTHLY_2": ("periodic", 15.0),
    "BIMONTHLY": ("periodic", 61.0), "QUARTERLY": ("periodic", 92.0),
    "ANNUAL_2": ("periodic", 183.0), "ANNUAL": ("periodic", 366.0),
    "BIENNIAL": ("periodic", 730.0), "TRIENNIAL": ("periodic", 1096.0),
}


def parse_frequency(text: str) -> Frequency:
    """Map a declared frequency in any of the common spellings to a Frequency."""
    label = (text or "").strip()
    if not label:
        return Frequency("", "unknown")
    code = label.rstrip("/").rsplit("/", 1)[-1].upper()
    if code in _EU_CODES:
        kind, days = _EU_CODES[code]
        return Frequency(label, kind, days)
    iso = _ISO.match(label.upper())
    if iso and any(iso.groups()):
        y, mo, w, d, h, mi = (int(g) if g else 0 for g in iso.groups())
        days = y * 365.25 + mo * 30.5 + w * 7 + d + h * HOUR + mi * HOUR / 60
        return Frequency(label, "periodic", days) if days > 0 else Frequency(label, "unknown")
    norm = label.lower().replace("_", " ")
    for pattern, kind, days in _WORDS:
        if re.search(pattern, norm):
            return Frequency(label, kind, days)
    every = re.search(r"every (\d+) (minute|hour|day|week|month|year)s?", norm)
    if every:
        unit = {"minute": HOUR / 60, "hour": HOUR, "day": 1, "week": 7, "month": 30.5, "year": 365.25}
        return Frequency(label, "periodic", int(every.group(1)) * unit[every.group(2)])
    return Frequency(label, "unknown")


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
    if freq.kind != "periodic" or freq.days is None or data_modified is None:
        return "unknown", _age(data_modified, now)
    age = _age(data_modified, now) or 0.0
    steps = ladder(freq.days)
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
