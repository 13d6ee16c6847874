"""What changed between two runs: new problems, fixed problems, score changes, per department."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCORE_STEP = 0.05  # smaller moves are rounding, not news


@dataclass(frozen=True)
class Problem:
    """A FAIL finding, located."""

    department: str
    dataset_id: str
    title: str
    check: str
    resource: str
    message: str
    before: str | None = None  # the finding's status in the earlier run (None: not there)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"department": self.department, "dataset": self.dataset_id, "title": self.title,
                "check": self.check, "resource": self.resource or None, "message": self.message,
                "before": self.before}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        """The problem :meth:`as_dict` wrote."""
        return cls(department=str(data.get("department") or ""), dataset_id=str(data.get("dataset") or ""),
                   title=str(data.get("title") or ""), check=str(data.get("check") or ""),
                   resource=str(data.get("resource") or ""), message=str(data.get("message") or ""),
                   before=data.get("before"))

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two problems the same one on different nights."""
        return (self.dataset_id, self.check, self.resource)


@dataclass(frozen=True)
class ScoreChange:
    """A score that moved."""

    scope: str  # portal | department | dataset
    name: str
    before: float | None
    after: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        delta = None if self.before is None or self.after is None else round(self.after - self.before, 2)
        return {"scope": self.scope, "name": self.name, "before": self.before, "after": self.after, "delta": delta}


@dataclass
class Diff:
    """Everything that changed from ``before`` to ``after``."""

    before: Mapping[str, Any] | None
    after: Mapping[str, Any]
    new: list[Problem] = field(default_factory=list)
    fixed: list[Problem] = field(default_factory=list)
    scores: list[ScoreChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # datasets new to the catalogue
    removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing worth telling anyone."""
        return not (self.new or self.fixed or self.scores or self.added or self.removed)

    def departments(self) -> dict[str, dict[str, list[Problem]]]:
        """New and fixed problems grouped by department, sorted."""
        out: dict[str, dict[str, list[Problem]]] = defaultdict(lambda: {"new": [], "fixed": []})
        for p in self.new:
            out[p.department]["new"].append(p)
        for p in self.fixed:
            out[p.department]["fixed"].append(p)
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (schema ``auditor-diff/1``)."""
        def run(doc: Mapping[str, Any] | None) -> dict[str, Any] | None:
            if doc is None:
                return None
            return {"started": (doc.get("run") or {}).get("started"), "score": (doc.get("portal") or {}).get("score")}

        return {
            "schema": "auditor-diff/1",
            "before": run(self.before),
            "after": run(self.after),
            "new_problems": [p.as_dict() for p in self.new],
            "fixed_problems": [p.as_dict() for p in self.fixed],
            "score_changes": [s.as_dict() for s in self.scores],
            "datasets_added": self.added,
            "datasets_removed": self.removed,
            "departments": {name: {"new": len(v["new"]), "fixed": len(v["fixed"])}
                            for name, v in self.departments().items()},
        }


Located = dict[tuple[str, str, str], tuple[str, Mapping[str, Any], Mapping[str, Any]]]


def _index(doc: Mapping[str, Any] | None) -> Located:
    out: Located = {}
    for ds in (doc or {}).get("datasets") or []:
        for f in ds.get("findings") or []:
            out[(ds["id"], f["check"], f.get("resource") or "")] = (f["status"], f, ds)
    return out


def _problem(ds: Mapping[str, Any], f: Mapping[str, Any], before: str | None) -> Problem:
    return Problem(department=str(ds.get("organization") or "(no department)"), dataset_id=str(ds["id"]),
                   title=str(ds.get("title") or ""), check=str(f["check"]), resource=str(f.get("resource") or ""),
                   message=str(f.get("message") or ""), before=before)


def diff_reports(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> Diff:
    """Compare two reports.

    Only FAIL findings are problems: an ERROR (a timeout, a firewall) says nothing about the
    data. A FAIL that was anything else before is new; a FAIL that became a PASS is fixed; a
    FAIL that could not be judged this time (ERROR, SKIP) is neither.
    """
    diff = Diff(before, after)
    old, new = _index(before), _index(after)
    for key, (status, f, ds) in sorted(new.items(), key=lambda kv: kv[0]):
        was = old.get(key)
        if status == "fail" and (was is None or was[0] != "fail"):
            diff.new.append(_problem(ds, f, was[0] if was else None))
    for key, (status, _, _) in sorted(old.items(), key=lambda kv: kv[0]):
        now = new.get(key)
        if status == "fail" and now is not None and now[0] == "pass":
            diff.fixed.append(_problem(now[2], now[1], "fail"))
    before_ids = {ds["id"]: ds for ds in (before or {}).get("datasets") or []}
    after_ids = {ds["id"]: ds for ds in after.get("datasets") or []}
    if before is not None:
        diff.added = sorted(set(after_ids) - set(before_ids))
        # Datasets an incomplete crawl did not reach are unknown, not removed.
        if not (after.get("portal") or {}).get("catalogue_incomplete"):
            diff.removed = sorted(set(before_ids) - set(after_ids))
        _score(diff, "portal", "", (before.get("portal") or {}).get("score"), (after.get("portal") or {}).get("score"))
        old_depts = {d["name"]: d.get("score") for d in before.get("departments") or []}
        for d in after.get("departments") or []:
            if d["name"] in old_depts:
                _score(diff, "department", d["name"], old_depts[d["name"]], d.get("score"))
        for ds_id in sorted(set(before_ids) & set(after_ids)):
            _score(diff, "dataset", ds_id, before_ids[ds_id].get("score"), after_ids[ds_id].get("score"))
    return diff


def _score(diff: Diff, scope: str, name: str, before: float | None, after: float | None) -> None:
    if before is None and after is None:
        return
    if before is None or after is None or abs(after - before) >= SCORE_STEP:
        diff.scores.append(ScoreChange(scope, name, before, after))
