"""What the data officer needs from a run: what to fix, what it is worth, what changed.

Points gained: for each open problem, how much the dataset's score would rise if that one
finding passed (the rubric's weights, as data.europa.eu's dashboard shows points per
indicator). Changes: new problems, fixed ones and score moves since the previous stored run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from auditor.config import Rubric
from auditor.model import Finding, Status
from auditor.result import AuditResult, DatasetResult
from auditor.scoring import score_findings


def points_gained(r: DatasetResult, finding: Finding, rubric: Rubric) -> float:
    """How many points the dataset's overall score gains if ``finding`` passed."""
    if finding.status != Status.FAIL or r.score.overall is None:
        return 0.0
    fixed = [replace(f, status=Status.PASS, value=1.0) if f is finding else f for f in r.findings]
    after = score_findings(fixed, rubric).overall
    return round(max(0.0, (after or 0.0) - r.score.overall), 1)


def problem_status(changes: Any, dataset_id: str, finding: Finding) -> str:
    """``new`` when the problem appeared since the previous run, ``unchanged`` otherwise,
    ``""`` when there is no previous run to compare with."""
    if changes is None or changes.before is None:
        return ""
    key = (dataset_id, finding.check, finding.resource_id or "")
    new = {(p.dataset_id, p.check, p.resource or "") for p in changes.new}
    return "new" if key in new else "unchanged"


def open_problems(r: DatasetResult, rubric: Rubric, classes: Mapping[str, Any], changes: Any) -> list[dict[str, Any]]:
    """A dataset's failing findings, the most valuable fix first."""
    out = []
    for f in r.findings:
        if f.status != Status.FAIL:
            continue
        cls = classes.get(f.check)
        out.append({"check": f.check, "title": getattr(cls, "title", f.check), "message": f.message,
                    "resource": f.resource_id or "", "fix": cls.advice(f) if cls is not None else "",
                    "points": points_gained(r, f, rubric), "status": problem_status(changes, r.dataset.id, f)})
    return sorted(out, key=lambda p: (-p["points"], p["check"], p["resource"]))


def department_pages(result: AuditResult, rubric: Rubric, classes: Mapping[str, Any], changes: Any,
                     files: Mapping[str, str]) -> list[dict[str, Any]]:
    """One page's worth per department: its datasets, their open problems, and changes."""
    by_dept: dict[str, list[DatasetResult]] = {}
    for r in result.datasets:
        by_dept.setdefault(r.dataset.organization or "(no department)", []).append(r)
    pages = []
    for name, rows in sorted(by_dept.items()):
        score = result.departments.get(name)
        problems = [{**p, "dataset": r.dataset.title or r.dataset.id, "file": files.get(r.dataset.id, "")}
                    for r in rows for p in open_problems(r, rubric, classes, changes)]
        problems.sort(key=lambda p: (-p["points"], p["dataset"], p["check"]))
        pages.append({"name": name, "score": score.overall if score else None,
                      "grade": (score.grade if score else "") or "n/a", "datasets": len(rows), "problems": problems,
                      "since": since(changes, name)})
    return pages


def since(changes: Any, department: str | None = None) -> dict[str, Any] | None:
    """New and fixed problems and score changes since the previous run (of one department,
    or of the whole portal); None when there is no previous run."""
    if changes is None or changes.before is None:
        return None
    new = [p for p in changes.new if department is None or p.department == department]
    fixed = [p for p in changes.fixed if department is None or p.department == department]
    scope, name = ("portal", None) if department is None else ("department", department)
    moved = [s for s in changes.scores if s.scope == scope and (name is None or s.name == name)]
    started = str((changes.before.get("run") or {}).get("started") or "")[:16].replace("T", " ")
    return {"started": started, "new": [_item(p) for p in new], "fixed": [_item(p) for p in fixed],
            "before": moved[0].before if moved else None, "after": moved[0].after if moved else None}


def _item(p: Any) -> dict[str, str]:
    return {"dataset": p.title or p.dataset_id, "dataset_id": p.dataset_id, "check": p.check, "message": p.message}


def findings_rows(result: AuditResult, rubric: Rubric, classes: Mapping[str, Any], changes: Any
                  ) -> list[Sequence[Any]]:
    """findings.csv: every finding, with how to fix it, the points it is worth and whether it
    is new since the previous run; problems fixed since then are listed too."""
    rows: list[Sequence[Any]] = [["dataset_id", "dataset_title", "department", "check", "status", "resource", "value",
                                  "message", "fix", "points_gained", "since_previous_run"]]
    for r in result.datasets:
        for f in r.findings:
            cls = classes.get(f.check)
            fix = cls.advice(f) if cls is not None and f.status in (Status.FAIL, Status.ERROR) else ""
            status = problem_status(changes, r.dataset.id, f) if f.status == Status.FAIL else ""
            rows.append([r.dataset.id, r.dataset.title, r.dataset.organization, f.check, f.status.value,
                         f.resource_id or "", f.value, f.message, fix, points_gained(r, f, rubric), status])
    if changes is not None and changes.before is not None:
        for p in changes.fixed:
            rows.append([p.dataset_id, p.title, p.department, p.check, "pass", p.resource or "", "", p.message, "", 0,
                         "fixed"])
    return rows
