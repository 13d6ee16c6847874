"""The terminal scoreboard: the portal score, its dimensions, departments, worst datasets."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from auditor.model import Dimension, Score
from auditor.redact import clean
from auditor.result import AuditResult, failing


def _fmt(score: float | None) -> str:
    return "  n/a" if score is None else f"{score:5.1f}"


def _counts(score: Score) -> str:
    c = score.counts
    return (f"{c.get('pass', 0)} pass, {c.get('fail', 0)} fail, "
            f"{c.get('error', 0)} error, {c.get('skip', 0)} skip")


def render_console(result: AuditResult, write: Callable[[str], None], *, top: int = 15) -> None:
    """Write the scoreboard line by line through ``write``."""
    from auditor.redact import redact

    out = write
    write = lambda line: out(redact(line))  # noqa: E731 - every line leaves through here
    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 140))
    title = clean(result.portal.title or result.portal.url, width - 20)
    audited = len(result.datasets)
    size = result.catalogue_size
    write("")
    write(f"{title}  ({result.portal.platform}, {result.portal.url})")
    sample = f" (sample of {size})" if result.sampled else ""
    write(f"Portal score {_fmt(result.score.overall).strip()} / 100, grade {result.score.grade}"
          f" - {audited} datasets audited{sample}")
    write(f"Findings: {_counts(result.score)}")
    write("")
    write("Dimensions")
    for dim in Dimension:
        value = result.score.dimensions.get(dim.value)
        bar = "" if value is None else "#" * round(value / 5)
        label = dim.value.replace("_", " ")
        note = " (not assessed)" if value is None else ""
        write(f"  {label:<18} {_fmt(value)}  {bar}{note}")
    if result.departments:
        write("")
        write("Departments")
        name_w = min(40, max(len(n) for n in result.departments))
        for name, score in sorted(result.departments.items(),
                                  key=lambda kv: (kv[1].overall is None, kv[1].overall or 0)):
            write(f"  {clean(name, name_w):<{name_w}}  {_fmt(score.overall)} {score.grade}")
    write("")
    worst = sorted(result.datasets,
                   key=lambda r: (r.score.overall is None, r.score.overall or 0.0, r.dataset.id))
    write(f"Datasets, lowest scores first (showing {min(top, len(worst))} of {len(worst)})")
    title_w = max(20, width - 62)
    for r in worst[:top]:
        problems = failing(r)
        first = clean(problems[0].message, 40) if problems else "no problems found"
        write(f"  {_fmt(r.score.overall)} {r.score.grade}  {clean(r.dataset.id, 12):<12} "
              f"{clean(r.dataset.title, title_w):<{title_w}}  {first}")
    for note in result.notes:
        write(f"note: {clean(note, width)}")
    if result.incomplete:
        write(f"WARNING: incomplete audit: {clean(result.incomplete, width)}")
