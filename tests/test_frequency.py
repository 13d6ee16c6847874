"""The declared-frequency vocabulary, value by value, and its words."""

from __future__ import annotations

import pytest

from auditor.frequency import HOUR, MINUTE, every, parse_frequency

DAY = 1.0
# (as written on a real portal, kind, period in days). Most come from real records: Chicago,
# New York, Catalonia, Lombardy, Calgary, Toronto, HDX, Zurich, data.gov.au, Dallas.
VALUES = [
    # English sentences and words
    ("Data is updated daily", "periodic", DAY), ("Data are updated daily.", "periodic", DAY),
    ("Updated daily", "periodic", DAY), ("Daily", "periodic", DAY), ("Nightly", "periodic", DAY),
    ("Data is updated every 15 minutes", "periodic", 15 * MINUTE), ("Every 2 Minutes", "periodic", 2 * MINUTE),
    ("Data are updated multiple times per hour", "periodic", None), ("Real-time", "periodic", None),
    ("Live", "periodic", None), ("Hourly", "periodic", HOUR), ("twice daily", "periodic", 0.5),
    ("Twice weekly", "periodic", 3.5), ("3 times a week", "periodic", 7 / 3), ("Weekly", "periodic", 7),
    ("Data is updated weekly", "periodic", 7), ("bi-weekly", "periodic", 14), ("Biweekly", "periodic", 14),
    ("every other week", "periodic", 14), ("Fortnightly", "periodic", 14), ("twice a month", "periodic", 15),
    ("Monthly", "periodic", 30), ("Bimonthly", "periodic", 61), ("Quarterly", "periodic", 91),
    ("Data are updated quarterly", "periodic", 91), ("Semi-annually", "periodic", 182),
    ("Semiannual", "periodic", 182), ("Annually", "periodic", 365), ("Yearly", "periodic", 365),
    ("Biennial", "periodic", 730), ("Every five years", "periodic", 1826), ("every 10 years", "periodic", 3652),
    ("Daily beginning 7/1/19; twice weekly previously", "periodic", DAY),
    ("Data are updated as needed", "irregular", None), ("As available", "irregular", None),
    ("Ad Hoc", "irregular", None), ("irregular", "irregular", None), ("infrequently", "irregular", None),
    ("Variable", "irregular", None),
    ("Static - Not Updated", "static", None), ("Not updated (historical data)", "static", None),
    ("Will not be Refreshed", "static", None), ("never", "static", None), ("Historical", "static", None),
    ("unknown", "unrecognisable", None), ("None", "unrecognisable", None), ("Manual Post", "unrecognisable", None),
    ("", "none", None),
    # German, French, Italian, Spanish, Catalan, Dutch, Nordic
    ("täglich", "periodic", DAY), ("woechentlich", "periodic", 7), ("monatlich", "periodic", 30),
    ("jaehrlich", "periodic", 365), ("vierteljährlich", "periodic", 91), ("Halbjährlich", "periodic", 182),
    ("sporadisch oder unregelmaessig", "irregular", None), ("laufend", "irregular", None),
    ("quotidien", "periodic", DAY), ("hebdomadaire", "periodic", 7), ("mensuel", "periodic", 30),
    ("trimestriel", "periodic", 91), ("annuel", "periodic", 365), ("irrégulier", "irregular", None),
    ("Giornaliera", "periodic", DAY), ("settimanale", "periodic", 7), ("mensile", "periodic", 30),
    ("annuale", "periodic", 365), ("Diario", "periodic", DAY), ("semanal", "periodic", 7),
    ("mensual", "periodic", 30), ("Anual", "periodic", 365), ("Diària", "periodic", DAY), ("Diari", "periodic", DAY),
    ("Setmanal", "periodic", 7), ("Trimestral", "periodic", 91), ("Dades estàtiques", "static", None),
    ("dagelijks", "periodic", DAY), ("wekelijks", "periodic", 7), ("maandelijks", "periodic", 30),
    ("jaarlijks", "periodic", 365), ("daglig", "periodic", DAY), ("ukentlig", "periodic", 7),
    ("månedlig", "periodic", 30), ("årlig", "periodic", 365), ("kvartalsvis", "periodic", 91),
    ("veckovis", "periodic", 7), ("vuosittain", "periodic", 365),
    # ISO 8601, EU authority codes and URIs, Dublin Core
    ("R/P1D", "periodic", DAY), ("P1W", "periodic", 7), ("P3M", "periodic", 91), ("R/P1Y", "periodic", 365),
    ("R/PT1H", "periodic", HOUR), ("R/PT15M", "periodic", 15 * MINUTE), ("P0.5M", "periodic", 15.2),
    ("ANNUAL", "periodic", 365), ("IRREG", "irregular", None), ("UPDATE_CONT", "irregular", None),
    ("http://publications.europa.eu/resource/authority/frequency/MONTHLY", "periodic", 30),
    ("http://publications.europa.eu/resource/authority/frequency/ANNUAL_2", "periodic", 182),
    ("http://publications.europa.eu/resource/authority/frequency/WEEKLY_3", "periodic", 7 / 3),
    ("http://publications.europa.eu/resource/authority/frequency/NEVER", "static", None),
    ("http://publications.europa.eu/resource/authority/frequency/UNKNOWN", "unrecognisable", None),
    ("http://purl.org/cld/freq/daily", "periodic", DAY), ("http://purl.org/cld/freq/threeTimesAYear", "periodic", 122),
    ("asNeeded", "irregular", None),
]


@pytest.mark.parametrize(("text", "kind", "days"), VALUES)
def test_vocabulary(text: str, kind: str, days: float | None) -> None:
    freq = parse_frequency(text)
    assert freq.kind == kind, (text, freq)
    if days is None:
        assert freq.days is None, (text, freq)
    else:
        assert freq.days is not None and abs(freq.days - days) <= 0.1 * days, (text, freq)


@pytest.mark.parametrize(("text", "kind", "days"), [
    ("-2", "irregular", None), ("-1", "static", None), ("0", "periodic", None), ("1", "periodic", 1.0),
    ("7", "periodic", 7.0), ("30", "periodic", 30.0), ("365", "periodic", 365.0),
])
def test_hdx_day_counts(text: str, kind: str, days: float | None) -> None:
    freq = parse_frequency(text, hdx_days=True)
    assert (freq.kind, freq.days) == (kind, days)


def test_a_bare_number_elsewhere_states_no_schedule() -> None:
    assert parse_frequency("30").kind == "unrecognisable"


@pytest.mark.parametrize(("days", "words"), [
    (1.0, "every day"), (7.0, "every week"), (14.0, "every 2 weeks"), (30.0, "every month"),
    (91.0, "every 3 months"), (365.0, "every year"), (1826.0, "every 5 years"), (HOUR, "every hour"),
    (15 * MINUTE, "every 15 minutes"), (3.5, "twice a week"), (0.5, "twice a day"),
])
def test_schedules_in_words(days: float, words: str) -> None:
    assert every(days) == words


def test_words_never_say_zero_or_one_plural() -> None:
    for text, _, _ in VALUES:
        said = parse_frequency(text).words()
        assert "every 0" not in said and "every 1 " not in said, (text, said)
