"""Render an AuditResult to a folder of static pages."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.config import Rubric
from auditor.model import Dimension, Finding, Status
from auditor.questions import QUESTIONS, RULE, VERDICT_WORDS, answers
from auditor.reports.site.officer import department_pages, findings_rows, since
from auditor.result import AuditResult, DatasetResult

HERE = Path(__file__).resolve().parent
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")

def safe_name(dataset_id: str) -> str:
    """A file name for a dataset page that cannot leave its folder and never collides."""
    cleaned = _UNSAFE.sub("_", dataset_id).strip("._") or "dataset"
    if cleaned != dataset_id or len(cleaned) > 80:
        # Changed or cut: the hash of the original keeps two ids from sharing a page.
        cleaned = f"{cleaned[:60]}-{hashlib.sha256(dataset_id.encode()).hexdigest()[:12]}"
    return cleaned


def _http(url: str) -> str:
    """Only http(s) links from a portal become links: never javascript: or data: URLs."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["score"] = lambda v: "n/a" if v is None else f"{v:.0f}"
    env.filters["score1"] = lambda v: "n/a" if v is None else f"{v:.1f}"
    return env


def _answers(r: DatasetResult, classes: Mapping[str, Any], asks: Mapping[str, str]) -> list[dict[str, Any]]:
    out = []
    names = {res.id: res.name or res.id for res in r.dataset.resources}
    for answer in answers(r.findings, asks):
        out.append({"key": answer.key, "question": answer.question, "verdict": answer.verdict,
                    "words": VERDICT_WORDS[answer.verdict],
                    "evidence": [{"check": f.check, "status": f.status.value, "message": f.message,
                                  "resource": names.get(f.resource_id or "", f.resource_id or ""),
                                  "examples": _examples(f),
                                  "fix": _advice(classes, f) if f.status in (Status.FAIL, Status.ERROR) else ""}
                                 for f in answer.findings]})
    return out


def _advice(classes: Mapping[str, Any], finding: Finding) -> str:
    cls = classes.get(finding.check)
    return str(cls.advice(finding)) if cls is not None else ""


def _examples(finding: Finding) -> list[str]:
    """The rows behind a content finding, in words: "row 12, column amount: 'abc'"."""
    out = []
    for ex in list(finding.details.get("examples") or [])[:5]:
        if not isinstance(ex, Mapping):
            continue
        parts = []
        if ex.get("row") is not None:
            parts.append(f"row {ex['row']}")
        if ex.get("field") or ex.get("column"):
            parts.append(f"column {ex.get('field') or ex.get('column')}")
        value = ex.get("cell", ex.get("value"))
        text = ", ".join(parts) + (f": {str(value)[:60]!r}" if value not in (None, "") else "")
        if ex.get("note") and not value:
            text += f" ({str(ex['note'])[:80]})"
        if text:
            out.append(text)
    return out


def _badge(label: str, value: str, color: str) -> str:
    left = 6 * len(label) + 12
    right = 6 * len(value) + 12
    return _environment().get_template("badge.svg").render(label=label, value=value, color=color, left=left,
                                                           right=right, width=left + right)


BAND_COLORS = {"A": "#1a7f37", "B": "#4c7d00", "C": "#9a6700", "D": "#b3261e"}


def publish(result: AuditResult, out: Path, rubric: Rubric, checks: Sequence[Any],
            history: Sequence[Mapping[str, Any]] = (),
            department_history: Mapping[str, Sequence[tuple[str, float | None]]] | None = None,
            changes: Any = None) -> Path:
    """Write the site into ``out`` (created); the path of its index page. ``changes`` (what
    changed since the previous stored run) adds "since the previous run" to the portal and
    department pages and to findings.csv."""
    from auditor.redact import dump_json
    from auditor.report import report_dict

    env = _environment()
    out.mkdir(parents=True, exist_ok=True)
    (out / "datasets").mkdir(exist_ok=True)
    (out / "badges").mkdir(exist_ok=True)
    (out / "assets").mkdir(exist_ok=True)
    for asset in ("site.css", "site.js"):
        shutil.copyfile(HERE / "assets" / asset, out / "assets" / asset)
    classes = {c.id: c for c in checks}
    asks = {c.id: getattr(c, "question", "") for c in checks}
    bands = Counter(r.score.grade or "n/a" for r in result.datasets)
    datasets: list[dict[str, Any]] = []
    for r in sorted(result.datasets, key=lambda r: (-r.dataset.popularity, r.score.overall or 0, r.dataset.id)):
        problems = [f for f in r.findings if f.status == Status.FAIL]
        datasets.append({"id": r.dataset.id, "file": f"datasets/{safe_name(r.dataset.id)}.html",
                         "title": r.dataset.title or r.dataset.id, "department": r.dataset.organization or "",
                         "score": r.score.overall, "grade": r.score.grade or "n/a", "problems": len(problems),
                         "popularity": r.dataset.popularity, "url": _http(r.dataset.url)})
    (out / "departments").mkdir(exist_ok=True)
    files = {d["id"]: "../" + d["file"] for d in datasets}
    dept_pages = department_pages(result, rubric, classes, changes, files)
    departments = [{"name": page["name"], "score": page["score"], "grade": page["grade"],
                    "problems": len(page["problems"]), "file": f"departments/{safe_name(page['name'])}.html"}
                   for page in dept_pages]
    common = {"portal": result.portal, "score": result.score, "rubric": rubric, "generated": result.finished,
              "version": result.version}
    trend = _trend(history)
    dept_trends = [{"name": name, "trend": t} for name, points in sorted((department_history or {}).items())
                   if (t := _trend([{"started": day, "score": value} for day, value in points], 320, 90))]
    most_used = sorted([d for d in datasets if d["popularity"] > 0], key=lambda d: -d["popularity"])[:10]
    most_used.sort(key=lambda d: (d["score"] is None, d["score"] if d["score"] is not None else 0, d["title"]))
    (out / "index.html").write_text(env.get_template("portal.html").render(
        **common, root="", datasets=datasets, departments=departments, bands=bands,
        band_list=[b.grade for b in rubric.bands], trend=trend, dimensions=[d.value for d in Dimension],
        dept_trends=dept_trends, most_used=most_used, since=since(changes),
        sampled=result.sampled, incomplete=result.incomplete), "utf-8")
    for r, entry in zip(sorted(result.datasets, key=lambda r: (-r.dataset.popularity, r.score.overall or 0,
                                                             r.dataset.id)), datasets, strict=True):
        (out / entry["file"]).write_text(env.get_template("dataset.html").render(
            **common, root="../", d=r.dataset, ds=r, answers=_answers(r, classes, asks), entry=entry,
            read_rows=read_rows(r.read), glance=_glance(r), dims=[d.value for d in Dimension],
            badge=f"../badges/{Path(entry['file']).stem}.svg"), "utf-8")
        grade = r.score.grade or "n/a"
        (out / "badges" / f"{Path(entry['file']).stem}.svg").write_text(
            _badge("data usability", f"{env.filters['score'](r.score.overall)} {grade}",
                   BAND_COLORS.get(grade, "#57606a")), "utf-8")
    for page, entry in zip(dept_pages, departments, strict=True):
        (out / entry["file"]).write_text(env.get_template("department.html").render(
            **common, root="../", dept=page), "utf-8")
    portal_grade = result.score.grade or "n/a"
    (out / "badges" / "portal.svg").write_text(_badge("open data", f"{env.filters['score'](result.score.overall)} "
                                                      f"{portal_grade}", BAND_COLORS.get(portal_grade, "#57606a")),
                                               "utf-8")
    methodology = [{"id": c.id, "title": c.title, "dimension": c.dimension.value.replace("_", " "),
                    "weight": rubric.check_weight(c.id, c.weight), "why": _why(c), "fix": c.fix,
                    "question": QUESTIONS.get(asks.get(c.id, ""), "")} for c in checks]
    questions = [{"text": text, "checks": [c["title"] for c in methodology if c["question"] == text]}
                 for text in QUESTIONS.values()]
    (out / "methodology.html").write_text(env.get_template("methodology.html").render(
        **common, root="", checks=methodology, dimension_weights=rubric.dimensions, questions=questions,
        rule=RULE), "utf-8")
    with open(out / "report.json", "w", encoding="utf-8") as fh:
        # Keys sorted as the history store keeps them: a site drawn from a fresh audit and one
        # published from the store offer the same download.
        dump_json(json.loads(json.dumps(report_dict(result), sort_keys=True)), fh)
    (out / "findings.csv").write_text(_findings_csv(findings_rows(result, rubric, classes, changes)), "utf-8")
    return out / "index.html"


def _glance(r: DatasetResult) -> dict[str, Any]:
    """What a resident wants first: when the data changed, how often it should, the files."""
    read = r.read or {}

    def part(key: str) -> Mapping[str, Any]:
        value = read.get(key)
        return value if isinstance(value, Mapping) else {}

    freq, updated = part("frequency"), part("data_updated").get("date")
    files = [{"name": res.name or res.url.rsplit("/", 1)[-1] or res.id, "url": _http(res.url), "format": res.format,
              "kind": {"file": "data file", "link": "link", "api": "service", "documentation": "documentation"}
              .get(res.kind, res.kind)} for res in r.dataset.resources]
    return {"updated": str(updated)[:10] if updated else "", "schedule": freq.get("words") or "",
            "files": files}


def read_rows(read: Mapping[str, Any]) -> list[dict[str, str]]:
    """The ``read`` section as (fact, reading, field) rows for the officer's table."""
    if not read:
        return []

    def part(key: str) -> Mapping[str, Any]:
        value = read.get(key)
        return value if isinstance(value, Mapping) else {}

    freq, updated, contact = part("frequency"), part("data_updated"), part("contact")
    department, licence, columns = part("department"), part("licence"), part("columns")
    reach = contact.get("email") or contact.get("url") or (f"{contact['name']} (a name only)"
                                                            if contact.get("name") else "none given")
    rows = [
        ("Update schedule", f"{freq.get('words') or 'none'}" + (f" (written {freq['raw']!r})" if freq.get("raw")
                                                                  else ""), freq.get("field")),
        ("Data last updated", str(updated.get("date") or "no date given for the data")[:10], updated.get("field")),
        ("Contact", str(reach), contact.get("field")),
        ("Department", str(department.get("value") or "none given"), department.get("field")),
        ("Licence", f"{licence.get('value') or 'none given'} ({licence.get('state', 'unknown')})",
         licence.get("field")),
        ("Columns explained", f"{columns.get('documented', 'unknown')} ({columns.get('described', 0)} of "
                              f"{columns.get('count', 0)} described)", columns.get("field")),
    ]
    if read.get("language"):
        rows.append(("Language chosen", str(read["language"]), "multilingual fields"))
    return [{"fact": fact, "value": value, "field": str(field or "-")} for fact, value, field in rows]


def _why(cls: Any) -> str:
    import inspect

    doc = inspect.cleandoc(cls.__doc__ or "")
    match = re.search(r"\*\*Why\*\*:\s*(.+?)(?:\n\*\*|\Z)", doc, re.S)
    return " ".join((match.group(1) if match else doc.split("\n\n")[0]).split())


def _findings_csv(rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def _trend(history: Sequence[Mapping[str, Any]], width: int = 640, height: int = 180) -> dict[str, Any] | None:
    """An inline SVG chart of a score over time: a 0-100 axis with gridlines, the first and
    last run's date and time on the time axis, every run a point (two runs on one day are
    two points) whose value shows on hover, and a table beside it as the text version."""
    points = [(str(h["started"])[:16].replace("T", " "), h["score"]) for h in history if h.get("score") is not None]
    if len(points) < 2:
        return None
    left, right, top, bottom = (40, 16, 12, 34) if height > 100 else (28, 8, 8, 20)
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / (len(points) - 1)
    coords = [(left + i * step, top + inner_h - (score / 100) * inner_h) for i, (_, score) in enumerate(points)]
    ticks = [(value, top + inner_h - value / 100 * inner_h) for value in (0, 50, 100)]
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords), "width": width, "height": height,
            "left": left, "right": width - right, "top": top, "bottom": top + inner_h, "rows": points,
            "dots": [(x, y, day, score) for (x, y), (day, score) in zip(coords, points, strict=True)],
            "ticks": ticks, "first": points[0][0], "last": points[-1][0], "small": height <= 100}
