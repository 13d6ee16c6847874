"""Declared update frequencies: the vocabulary, in one place, and the parser.

Portals write a schedule as words in a dozen languages ("Diària", "täglich", "mensuel"),
as ISO 8601 durations and repeating intervals (``R/P1D``, ``P3M``), as vocabulary URIs (the
EU frequency authority table, Dublin Core's ``cld/freq``), as HDX day counts (``-1`` never,
``-2`` as needed, ``0`` live) or as sentences ("Data are updated every 15 minutes"). Each
becomes a :class:`Frequency`: ``periodic`` with its period in days (``None`` when it is
"more often than hourly" with no fixed period), ``irregular``, ``static``, ``unrecognisable``
(a value that states no schedule: "unknown", "None") or ``none`` (nothing declared).

Matching works on text folded to lower case without accents, so "Diària" and "diaria",
"wöchentlich" and "wochentlich" are one entry. The table is ordered: the first rule that
phrase wins: "no longer updated" and the other static phrases over anything else, then
the phrase that starts first, the longer where two start together ("twice weekly" over
"weekly", "bi-weekly" over "weekly").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HOUR = 1 / 24
MINUTE = HOUR / 60


@dataclass(frozen=True)
class Frequency:
    """A parsed declared frequency.

    ``days`` is the period of a periodic schedule (``None`` for "continuously" or "several
    times an hour"); ``judge_days`` is the period freshness is judged against (the period,
    or an hour for schedules faster than that).
    """

    label: str
    kind: str  # periodic | irregular | static | unrecognisable | none
    days: float | None = None

    @property
    def judge_days(self) -> float | None:
        if self.kind != "periodic":
            return None
        return self.days if self.days is not None else HOUR

    def words(self) -> str:
        """The schedule in plain words: "every day", "every 15 minutes", "as needed"."""
        if self.kind == "static":
            return "not updated (static)"
        if self.kind == "irregular":
            return "irregularly, as needed"
        if self.kind != "periodic":
            return "no schedule given" if self.kind == "none" else f"an unclear schedule ({self.label!r})"
        return "more often than every hour" if self.days is None else every(self.days)


def every(days: float) -> str:
    """A period as people say it: "every day", "every 2 weeks", "every 15 minutes", "twice a week"."""
    named = ((3.5, "twice a week"), (15.0, "twice a month"), (0.5, "twice a day"))
    for size, words in named:
        if abs(days - size) <= 0.05 * size:
            return words
    units = ((365.0, "year"), (30.4, "month"), (7.0, "week"), (1.0, "day"), (HOUR, "hour"), (MINUTE, "minute"))
    for size, name in units:
        count = days / size
        n = max(1, round(count))
        if count >= 0.94 and (abs(count - n) <= 0.06 * n or size == MINUTE):
            return f"every {name}" if n == 1 else f"every {n} {name}s"
    return f"every {days:.1f} days" if days >= 1 else f"every {days * 24:.1f} hours"


# (kind, period in days, alternatives on folded text). Word boundaries are added around
# each alternative; write the text as it reads after folding (no accents, lower case).
VOCABULARY: tuple[tuple[str, float | None, tuple[str, ...]], ...] = (
    # Faster than hourly without a fixed period.
    ("periodic", None, (
        r"(multiple|several|many) times (an|a|per|each) hour", r"real[- ]?time", r"realtime", r"live",
        r"streaming", r"in tempo reale", r"temps reel", r"tiempo real", r"temps real", r"echtzeit", r"sanntid",
        r"realtid",
    )),
    # Static: the data is complete and will not change. Before "updated ..." phrases.
    ("static", None, (
        r"never", r"not (be )?(updated|refreshed|maintained)", r"no (longer )?(updated|maintained)",
        r"no longer being updated", r"will not be (updated|refreshed)", r"no updates?( planned)?",
        r"not planned", r"notplanned", r"^(historical|historic|archived?)( data)?$", r"discontinued",
        r"one[- ]?(time|off)", r"^once$", r"^only once$", r"static", r"statisch", r"stati(c|qu)es?", r"estatic[oa]s?",
        r"estatiques?", r"dades estatiques", r"datos estaticos", r"dati statici", r"donnees statiques",
        r"keine (aktualisierung|nachfuhrung)", r"(wird )?nicht (mehr )?(aktualisiert|nachgefuhrt)",
        r"abgeschlossen", r"einmalig", r"jamais", r"aucune mise a jour", r"pas de mise a jour", r"ponctuel(le)?",
        r"nessun aggiornamento", r"non aggiornat[oa]", r"mai aggiornat[oa]", r"nunca", r"sin actualizacion",
        r"no se actualiza", r"no s'actualitza", r"sense actualitzacio", r"nooit", r"niet (meer )?bijgewerkt",
        r"geen updates?", r"eenmalig", r"aldri", r"aldrig", r"ikke oppdatert", r"ej uppdaterad", r"engangs",
        r"ei paivity",
    )),
    ("irregular", None, (
        # "Continuously" promises changes as things happen, not a cadence to be late against.
        r"continuous(ly)?( updated)?", r"laufend", r"fortlaufend", r"kontinuierlich", r"en continu", r"in continuo",
        r"irregular(ly)?", r"as needed", r"asneeded", r"as[- ]required", r"as available", r"when available",
        r"as necessary", r"when necessary", r"when (needed|required)", r"on demand", r"upon request",
        r"ad[- ]?hoc", r"sporadic(ally)?", r"variable", r"varies", r"infrequent(ly)?", r"occasional(ly)?",
        r"event[- ]driven", r"when (new )?data (is|are|becomes?) available", r"periodically",
        r"unregelmassig", r"bei bedarf", r"nach bedarf", r"sporadisch", r"irregulier(e)?", r"au besoin",
        r"selon (les )?besoins?", r"irregolare", r"al bisogno", r"secondo necessita", r"variabile",
        r"segun (sea )?necesario", r"segun necesidad", r"segons necessitat", r"eventual", r"onregelmatig",
        r"wisselend", r"indien nodig", r"naar behoefte", r"uregelmessig", r"oregelbunden", r"uregelmaessig",
        r"ved behov", r"vid behov", r"epasaannollinen", r"tarvittaessa",
    )),
    ("periodic", 0.5, (
        r"twice (a|per|each) day", r"twice daily", r"2x (daily|a day|per day)", r"two times (a|per) day",
        r"zweimal (taglich|am tag|pro tag)", r"deux fois par jour", r"due volte al giorno", r"dos veces al dia",
        r"dues vegades al dia", r"twee keer per dag", r"every 12 hours",
    )),
    ("periodic", HOUR, (
        r"hourly", r"every hour", r"each hour", r"once an hour", r"stundlich", r"jede stunde", r"toutes les heures",
        r"horaire", r"ogni ora", r"orari[ao]", r"cada hora", r"elk uur", r"ieder uur", r"per uur", r"varje timme",
        r"hver time", r"timevis", r"tunneittain", r"per hour",
    )),
    ("periodic", 3.5, (
        r"twice (a|per|each) week", r"twice weekly", r"semi[- ]?weekly", r"two times (a|per) week",
        r"zweimal (wochentlich|pro woche|in der woche)", r"deux fois par semaine", r"due volte (a|alla) settimana",
        r"dos veces (a|por) (la )?semana", r"dues vegades (a|per) setmana", r"twee keer per week",
    )),
    ("periodic", 1.0, (
        r"daily", r"every day", r"each day", r"once a day", r"per day", r"every (business|working|week) ?day",
        r"business days?", r"working days?", r"weekdays?", r"workdays?", r"nightly", r"every night",
        r"taglich", r"jeden tag", r"werktaglich", r"arbeitstaglich", r"quotidien(ne)?", r"journalier(e)?",
        r"tous les jours", r"chaque jour", r"giornalier[oa]", r"quotidian[oa]", r"ogni giorno", r"diari[oa]?",
        r"cada dia", r"diariament", r"diariamente", r"dagelijks", r"elke dag", r"daglig", r"dagligen",
        r"hver dag", r"varje dag", r"paivittain",
    )),
    ("periodic", 14.0, (
        r"bi-?weekly", r"fortnight(ly)?", r"every (two|2|other) weeks?", r"every second week",
        r"alle (zwei|2) wochen", r"zweiwochentlich", r"14-?taglich", r"toutes les (deux|2) semaines",
        r"ogni (due|2) settimane", r"quindicinale", r"cada (dos|2) semanas", r"quincenal", r"cada (dues|2) setmanes",
        r"quinzenal", r"tweewekelijks", r"om de (twee|2) weken", r"annenhver uke", r"varannan vecka",
        r"hver anden uge", r"joka toinen viikko",
    )),
    ("periodic", 7.0, (
        r"weekly", r"every week", r"each week", r"once a week", r"per week", r"wochentlich", r"jede woche",
        r"hebdomadaire", r"chaque semaine", r"toutes les semaines", r"settimanale", r"ogni settimana", r"semanal",
        r"semanalmente", r"cada semana", r"setmanal", r"cada setmana", r"wekelijks", r"elke week", r"ukentlig",
        r"hver uke", r"veckovis", r"varje vecka", r"ugentlig", r"hver uge", r"viikoittain",
    )),
    ("periodic", 15.0, (
        r"semi-?monthly", r"twice (a|per|each) month", r"two times (a|per) month", r"bimensuel(le)?",
        r"zweimal (monatlich|im monat|pro monat)", r"deux fois par mois", r"due volte al mese",
        r"dos veces al mes", r"twee keer per maand",
    )),
    ("periodic", 61.0, (
        r"bi-?monthly", r"every (two|2|other) months?", r"every second month", r"alle (zwei|2) monate",
        r"zweimonatlich", r"bimestriel(le)?", r"tous les (deux|2) mois", r"bimestrale", r"ogni (due|2) mesi",
        r"bimestral", r"cada (dos|2) meses", r"cada (dos|2) mesos", r"tweemaandelijks", r"om de (twee|2) maanden",
        r"annenhver maned", r"varannan manad",
    )),
    ("periodic", 30.0, (
        r"monthly", r"every month", r"each month", r"once a month", r"per month", r"monatlich",
        r"jeden monat", r"mensuel(le)?", r"chaque mois", r"tous les mois", r"mensile", r"ogni mese", r"mensual",
        r"mensualmente", r"mensualment", r"cada mes", r"maandelijks", r"elke maand", r"manedlig", r"manedsvis",
        r"manadsvis", r"varje manad", r"hver maned", r"kuukausittain",
    )),
    ("periodic", 91.0, (
        r"quarterly", r"every (three|3) months", r"each quarter", r"every quarter", r"per quarter",
        r"vierteljahrlich", r"quartalsweise", r"quartalich", r"pro quartal", r"trimestriel(le)?", r"trimestrale",
        r"trimestral", r"trimestralment", r"trimestralmente", r"per kwartaal", r"elk kwartaal", r"driemaandelijks",
        r"kvartalsvis", r"hvert kvartal", r"varje kvartal", r"neljannesvuosittain",
    )),
    ("periodic", 122.0, (
        r"(three|3) times (a|per|each) year", r"tri-?annual(ly)?", r"every (four|4) months", r"quadrimestral",
        r"quadrimestrale", r"dreimal (jahrlich|im jahr|pro jahr)",
    )),
    ("periodic", 182.0, (
        r"semi-?annual(ly)?", r"bi-?annual(ly)?", r"twice (a|per|each) year", r"two times (a|per) year",
        r"every (six|6) months", r"half[- ]?year(ly)?", r"half[- ]?annual(ly)?", r"halbjahrlich",
        r"halbjahrig", r"zweimal (jahrlich|im jahr|pro jahr)", r"semestriel(le)?", r"tous les (six|6) mois",
        r"semestrale", r"semestral", r"semestralment", r"semestralmente", r"halfjaarlijks", r"halvarlig",
        r"halvarsvis", r"puolivuosittain",
    )),
    ("periodic", 3652.0, (
        r"decennial(ly)?", r"every (ten|10) years", r"alle (zehn|10) jahre", r"tous les (dix|10) ans",
        r"ogni (dieci|10) anni", r"cada (diez|deu|10) (anos|anys)",
    )),
    ("periodic", 1826.0, (
        r"quinquennial(ly)?", r"every (five|5) years", r"alle (funf|5) jahre", r"funfjahrlich", r"quinquennal(e)?",
        r"tous les (cinq|5) ans", r"ogni (cinque|5) anni", r"cada (cinco|cinc|5) (anos|anys)", r"quinquenal",
        r"vijfjaarlijks", r"elke (vijf|5) jaar",
    )),
    ("periodic", 1461.0, (
        r"quadrennial(ly)?", r"every (four|4) years", r"alle (vier|4) jahre", r"tous les (quatre|4) ans",
        r"ogni (quattro|4) anni", r"cada (cuatro|quatre|4) (anos|anys)",
    )),
    ("periodic", 1096.0, (
        r"triennial(ly)?", r"every (three|3) years", r"alle (drei|3) jahre", r"dreijahrlich", r"triennal(e)?",
        r"tous les (trois|3) ans", r"ogni (tre|3) anni", r"cada (tres|3) (anos|anys)", r"trienal",
    )),
    ("periodic", 730.0, (
        r"biennial(ly)?", r"every (two|2|other) years?", r"every second year", r"alle (zwei|2) jahre",
        r"zweijahrlich", r"biennal(e)?", r"tous les (deux|2) ans", r"ogni (due|2) anni", r"bienal",
        r"cada (dos|2) (anos|anys)", r"tweejaarlijks", r"om de (twee|2) jaar", r"annethvert ar", r"vartannat ar",
    )),
    ("periodic", 365.0, (
        r"annual(ly)?", r"yearly", r"every year", r"each year", r"once a year", r"per year", r"per annum",
        r"jahrlich", r"jedes jahr", r"einmal im jahr", r"annuel(le)?", r"chaque annee", r"tous les ans",
        r"annual[ei]", r"ogni anno", r"anual", r"anualmente", r"anualment", r"cada ano", r"cada any", r"jaarlijks",
        r"elk jaar", r"arlig", r"arligen", r"arsvis", r"hvert ar", r"varje ar", r"vuosittain",
    )),
    # Values that are there but promise nothing.
    ("unrecognisable", None, (
        r"unknown", r"not known", r"none", r"n/?a", r"not applicable", r"other", r"tbd", r"to be determined",
        r"unbekannt", r"inconnue?", r"sconosciut[oa]", r"desconocid[oa]", r"desconeguda?", r"onbekend", r"ukjent",
        r"okand", r"ukendt", r"tuntematon", r"-+", r"\?+",
    )),
)

_COMPILED = tuple(
    (kind, days, re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])"))
    for kind, days, alts in VOCABULARY
)

# Units for "every N <unit>" and "N times per <unit>", in the languages above (folded).
_UNITS: tuple[tuple[float, str], ...] = (
    (MINUTE, r"min(ute)?s?|minuten|minuti|minutos|minuts|minutter|minuter|minuuttia?"),
    (HOUR, r"hours?|hrs?|stunden?|heures?|ore|ora|horas?|hores|uur|timer?|timmar|tuntia?"),
    (1.0, r"days?|tage?n?|jours?|giorni|dias|dies|dagen|dager|dage|dagar|paivaa?"),
    (7.0, r"weeks?|wochen?|semaines?|settimane|semanas|setmanes|weken|uker|uger|veckor|viikkoa?"),
    (30.0, r"months?|monate?n?|mois|mesi|meses|mesos|maanden|maneder|manader|kuukautta?"),
    (365.0, r"years?|jahre?n?|ans|anni|anos|anys|jaar|ar|aar|vuotta?"),
)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "ten": 10,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "zwei": 2, "drei": 3, "vier": 4, "funf": 5,
    "sechs": 6, "zehn": 10, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10, "due": 2, "tre": 3,
    "quattro": 4, "cinque": 5, "dieci": 10, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "diez": 10,
    "dues": 2, "cinc": 5, "deu": 10, "twee": 2, "drie": 3, "vijf": 5, "tien": 10,
}
_NUMBER = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"
_EVERY_WORDS = r"every|each|alle|tous les|toutes les|ogni|cada|elke|iedere|om de|hver|var|joka"
_EVERY = [(size, re.compile(rf"(?:{_EVERY_WORDS}) {_NUMBER}[ -]?(?:{units})\b")) for size, units in _UNITS]
_TIMES = [(size, re.compile(rf"{_NUMBER} ?(?:times|x|mal|fois|volte|veces|vegades|keer) (?:a|per|an|each|pro|im|"
                            rf"par|al|alla|a la|por|per) ?(?:{units})\b")) for size, units in _UNITS]
_ISO = re.compile(r"^(?:R\d*/)?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?"
                  r"(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?"
                  r"(?:(\d+(?:[.,]\d+)?)S)?)?$")

#: The EU frequency authority table (publications.europa.eu/resource/authority/frequency).
EU_CODES: dict[str, tuple[str, float | None]] = {
    "CONT": ("irregular", None), "UPDATE_CONT": ("irregular", None), "IRREG": ("irregular", None),
    "UNKNOWN": ("unrecognisable", None), "OTHER": ("unrecognisable", None), "NEVER": ("static", None),
    "NOT_PLANNED": ("static", None), "AS_NEEDED": ("irregular", None), "OP_DATPRO": ("unrecognisable", None),
    "1MIN": ("periodic", MINUTE), "5MIN": ("periodic", 5 * MINUTE), "10MIN": ("periodic", 10 * MINUTE),
    "15MIN": ("periodic", 15 * MINUTE), "30MIN": ("periodic", 30 * MINUTE), "HOURLY": ("periodic", HOUR),
    "BIHOURLY": ("periodic", 2 * HOUR), "TRIHOURLY": ("periodic", 3 * HOUR), "12HRS": ("periodic", 0.5),
    "DAILY": ("periodic", 1.0), "DAILY_2": ("periodic", 0.5), "DAILY_3": ("periodic", 1 / 3),
    "WEEKLY": ("periodic", 7.0), "WEEKLY_2": ("periodic", 3.5), "WEEKLY_3": ("periodic", 7 / 3),
    "BIWEEKLY": ("periodic", 14.0), "MONTHLY": ("periodic", 30.0), "MONTHLY_2": ("periodic", 15.0),
    "MONTHLY_3": ("periodic", 10.0), "BIMONTHLY": ("periodic", 61.0), "QUARTERLY": ("periodic", 91.0),
    "ANNUAL": ("periodic", 365.0), "ANNUAL_2": ("periodic", 182.0), "ANNUAL_3": ("periodic", 122.0),
    "BIENNIAL": ("periodic", 730.0), "TRIENNIAL": ("periodic", 1096.0), "QUADRENNIAL": ("periodic", 1461.0),
    "QUINQUENNIAL": ("periodic", 1826.0), "DECENNIAL": ("periodic", 3652.0),
}
#: HDX ``data_update_frequency`` values that are not a number of days.
HDX_DAYS: dict[int, tuple[str, float | None]] = {-2: ("irregular", None), -1: ("static", None), 0: ("periodic", None)}


def fold(text: str) -> str:
    """Lower case, accents removed, separators as single spaces ("Freqüència" -> "frequencia")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("ø", "o").replace("æ", "ae").replace("ß", "ss").replace("ł", "l")
    # camelCase vocabulary terms ("asNeeded", "threeTimesAYear") read as words.
    stripped = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", stripped)
    text = stripped.casefold().replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


def _number(token: str) -> float:
    return float(_NUMBERS.get(token, 0) or token.replace(",", "."))


def parse_frequency(text: str, *, hdx_days: bool = False) -> Frequency:
    """A declared frequency in any of the spellings above.

    ``hdx_days`` reads a bare number as HDX's ``data_update_frequency`` (days, with -2 as
    needed, -1 never and 0 live).
    """
    label = (text or "").strip()
    if not label:
        return Frequency("", "none")
    if hdx_days and re.fullmatch(r"-?\d+", label):
        days = int(label)
        if days in HDX_DAYS:
            kind, period = HDX_DAYS[days]
            return Frequency(label, kind, period)
        return Frequency(label, "periodic", float(days)) if days > 0 else Frequency(label, "unrecognisable")
    found = _code(label) or _iso(label) or _words(label)
    return found or Frequency(label, "unrecognisable")


def _code(label: str) -> Frequency | None:
    """An EU authority code or a vocabulary URI's last segment (``.../frequency/ANNUAL``)."""
    tail = label.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    code = tail.upper().replace("-", "_")
    if code in EU_CODES and (tail.isupper() or "/" in label or "#" in label):
        kind, days = EU_CODES[code]
        return Frequency(label, kind, days)
    if "/" in label and label.lower().startswith(("http://", "https://")):
        # Dublin Core's cld/freq and similar vocabularies: camelCase words ("threeTimesAYear").
        found = _words(tail)
        return Frequency(label, found.kind, found.days) if found else None
    return None


def _iso(label: str) -> Frequency | None:
    """ISO 8601 durations and repeating intervals: ``P1D``, ``R/P3M``, ``R/PT15M``."""
    match = _ISO.match(label.strip().upper())
    if not match or not any(match.groups()):
        return None
    y, mo, w, d, h, mi, s = (float(g.replace(",", ".")) if g else 0.0 for g in match.groups())
    days = y * 365 + mo * 30.4 + w * 7 + d + h * HOUR + mi * MINUTE + s * MINUTE / 60
    if y and not (mo or w or d or h or mi or s):
        days = {1: 365.0, 2: 730.0, 3: 1096.0, 4: 1461.0, 5: 1826.0, 10: 3652.0}.get(int(y), days)
    elif mo and not (y or w or d or h or mi or s):
        days = {1: 30.0, 2: 61.0, 3: 91.0, 4: 122.0, 6: 182.0}.get(int(mo), days)
    return Frequency(label, "periodic", days) if days > 0 else None


def _words(label: str) -> Frequency | None:
    """The schedule a sentence states: a "no longer updated" phrase wins; otherwise the
    phrase that comes first ("Daily beginning 7/1/19; twice weekly previously" is daily),
    the longer one where two start together ("twice weekly" over "weekly"). German written
    without umlauts ("jaehrlich", "woechentlich") reads as with them."""
    norm = fold(label)
    found = _scan(norm)
    if found is None and re.search(r"[aou]e", norm):
        found = _scan(re.sub(r"([aou])e", r"\1", norm))
    return Frequency(label, found[0], found[1]) if found else None


def _scan(norm: str) -> tuple[str, float | None] | None:
    found: list[tuple[int, int, str, float | None]] = []  # (start, -length, kind, days)
    for kind, days, pattern in _COMPILED:
        match = pattern.search(norm)
        if match and kind == "static":
            return kind, days
        if match and kind != "unrecognisable":
            found.append((match.start(), match.start() - match.end(), kind, days))
    for patterns, per in ((_EVERY, False), (_TIMES, True)):
        for size, pattern in patterns:
            match = pattern.search(norm)
            if match and _number(match.group(1)) > 0:
                count = _number(match.group(1))
                found.append((match.start(), match.start() - match.end(), "periodic",
                              size / count if per else size * count))
    if found:
        _, _, kind, days = min(found, key=lambda f: (f[0], f[1]))
        return kind, days
    for kind, days, pattern in _COMPILED:
        if kind == "unrecognisable" and pattern.search(norm):
            return kind, days
    return None
