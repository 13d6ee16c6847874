"""The terminal scoreboard: the portal score, its dimensions, departments, worst datasets."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

from auditor.model import Dimension, Score
from auditor.redact import clean
from auditor.result import AuditResult, failing


def _fmt(score: float | None) -> str:
    return "  n/a" if score is None else f"{score:5.1f}"


def _counts(score: Score) -> str:
    c = score.counts
    return (f"{c.get('pass', 0)} pass, {c.get('fail', 0)} fail, "
            f"{c.get('error', 0)} error, {c.get('skip', 0)} skip")


#: ANSI colours of the grades, used only on a terminal that wants colour (not NO_COLOR).
_COLOURS = {"A": "32", "B": "32", "C": "33", "D": "31"}


def wants_colour(stream: Any) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org) or TERM is dumb."""
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"


def _grade(grade: str, colour: bool) -> str:
    text = f"{grade or '-':<2}"
    code = _COLOURS.get(grade)
    return f"\x1b[{code};1m{text}\x1b[0m" if colour and code else text


def render_console(result: AuditResult, write: Callable[[str], None], *, top: int = 15, width: int | None = None,
                   colour: bool = False) -> None:
    """Write the scoreboard line by line through ``write``, every line at most ``width``
    characters (default: the terminal's), grades coloured when ``colour``."""
    from auditor.redact import redact

    out = write
    write = lambda line: out(redact(line))  # noqa: E731 - every line leaves through here
    width = max(40, min(width or shutil.get_terminal_size((100, 20)).columns, 200))
    title = clean(result.portal.title or result.portal.url, width - 20)
    audited = len(result.datasets)
    size = result.catalogue_size
    write("")
    write(clean(f"{title}  ({result.portal.platform}, {result.portal.url})", width))
    sample = f" (sample of {size})" if result.sampled else ""
    write(clean(f"Portal score {_fmt(result.score.overall).strip()} / 100, grade {result.score.grade}"
                f" - {audited} datasets audited{sample}", width))
    write(f"Findings: {_counts(result.score)}")
    write("")
    write("Dimensions")
    for dim in Dimension:
        value = result.score.dimensions.get(dim.value)
        bar = "" if value is None else "#" * round(value / 100 * min(20, width - 30))
        label = dim.value.replace("_", " ")
        note = " (not assessed)" if value is None else ""
        write(f"  {label:<18} {_fmt(value)}  {bar}{note}")
    if result.departments:
        write("")
        write("Departments")
        name_w = max(10, min(40, max(len(n) for n in result.departments), width - 12))
        for name, score in sorted(result.departments.items(),
                                  key=lambda kv: (kv[1].overall is None, kv[1].overall or 0)):
            write(f"  {clean(name, name_w):<{name_w}}  {_fmt(score.overall)} {_grade(score.grade, colour)}")
    write("")
    worst = sorted(result.datasets,
                   key=lambda r: (r.score.overall is None, r.score.overall or 0.0, r.dataset.id))
    write(f"Datasets, lowest scores first (showing {min(top, len(worst))} of {len(worst)})")
    # "  ddd.d G   id12345678.. " is 25 characters; the title and the first problem share the rest.
    room = width - 25 - 2
    title_w = max(8, room * 2 // 5)
    problem_w = max(8, room - title_w)
    for r in worst[:top]:
        problems = failing(r)
        first = clean(problems[0].message, problem_w) if problems else "no problems found"
        write(f"  {_fmt(r.score.overall)} {_grade(r.score.grade, colour)}  {clean(r.dataset.id, 12):<12} "
              f"{clean(r.dataset.title, title_w):<{title_w}}  {first}")
    for note in result.notes:
        write(clean(f"note: {note}", width))
    if result.incomplete:
        write(clean(f"WARNING: incomplete audit: {result.incomplete}", width))
