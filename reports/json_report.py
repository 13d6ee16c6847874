"""report.json in the versioned ``auditor-report/1`` schema (keys may be added, never renamed)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.incremental import content_marker
from auditor.model import Finding, Score
from auditor.redact import dump_json
from auditor.runner import AuditResult
from auditor.timeutil import iso

SCHEMA = "auditor-report/1"


def _score(score: Score) -> dict[str, Any]:
    return {"score": score.overall, "grade": score.grade, "dimensions": dict(score.dimensions),
            "counts": dict(score.counts)}


def _safe(value: Any) -> Any:
    """JSON-safe evidence: no NaN, no bytes, no sets."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding in the report shape."""
    return {
        "check": f.check,
        "status": f.status.value,
        "resource": f.resource_id,
        "message": f.message,
        "dimension": f.dimension.value,
        "weight": f.weight,
        "value": f.value,
        "details": _safe(f.details),
    }


def report_dict(result: AuditResult) -> dict[str, Any]:
    """The whole report as plain data, deterministic for a given result; secrets masked."""
    from auditor.redact import redact_data

    doc: dict[str, Any] = redact_data(_report(result))
    return doc


def _report(result: AuditResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "portal": {
            "url": result.portal.url,
            "platform": result.portal.platform,
            "title": result.portal.title,
            "score": result.score.overall,
            "grade": result.score.grade,
            "dimensions": dict(result.score.dimensions),
            "counts": dict(result.score.counts),
            "datasets_in_catalogue": result.catalogue_size,
            "datasets_audited": len(result.datasets),
            "sampled": result.sampled,
            **({"catalogue_incomplete": result.incomplete} if result.incomplete else {}),
        },
        "run": {
            "started": iso(result.started),
            "finished": iso(result.finished),
            "version": result.version,
            "requests": result.requests,
            "notes": list(result.notes),
        },
        "departments": [
            {"name": name, **_score(score)} for name, score in sorted(result.departments.items())
        ],
        "datasets": [
            {
                "id": r.dataset.id,
                "title": r.dataset.title,
                "organization": r.dataset.organization,
                "url": r.dataset.url,
                "type": r.dataset.asset_type,
                "data_modified": iso(r.dataset.data_modified),
                "metadata_modified": iso(r.dataset.metadata_modified),
                "content_marker": content_marker(r.dataset),
                **_score(r.score),
                "read": _safe(r.read),
                "findings": [finding_dict(f) for f in r.findings],
            }
            for r in result.datasets
        ],
    }


def _score_from(doc: Mapping[str, Any]) -> Score:
    return Score(overall=doc.get("score"), grade=str(doc.get("grade") or ""),
                 dimensions=dict(doc.get("dimensions") or {}), counts=dict(doc.get("counts") or {}))


def result_from_report(doc: Mapping[str, Any]) -> AuditResult:
    """An AuditResult rebuilt from report.json, so any renderer can redraw a stored run."""
    from auditor.model import Dataset, Dimension, Portal, Status
    from auditor.runner import DatasetResult
    from auditor.timeutil import parse_time

    portal_doc = doc.get("portal") or {}
    run = doc.get("run") or {}
    results = []
    for ds in doc.get("datasets") or []:
        dataset = Dataset(id=str(ds["id"]), title=str(ds.get("title") or ""), url=str(ds.get("url") or ""),
                          organization=str(ds.get("organization") or ""), asset_type=str(ds.get("type") or "dataset"),
                          data_modified=parse_time(ds.get("data_modified")),
                          metadata_modified=parse_time(ds.get("metadata_modified")))
        findings = [
            Finding(check=f["check"], dimension=Dimension(f["dimension"]), weight=float(f.get("weight") or 0),
                    status=Status(f["status"]), dataset_id=dataset.id, message=str(f.get("message") or ""),
                    resource_id=f.get("resource"), value=f.get("value"), details=f.get("details") or {})
            for f in ds.get("findings") or []
        ]
        results.append(DatasetResult(dataset, findings, _score_from(ds), dict(ds.get("read") or {})))
    started = parse_time(run.get("started"))
    finished = parse_time(run.get("finished"))
    assert started is not None and finished is not None, "a report always has its run times"
    return AuditResult(
        portal=Portal(url=str(portal_doc.get("url") or ""), platform=str(portal_doc.get("platform") or ""),
                      title=str(portal_doc.get("title") or "")),
        started=started,
        finished=finished,
        datasets=results,
        score=_score_from(portal_doc),
        departments={d["name"]: _score_from(d) for d in doc.get("departments") or []},
        catalogue_size=portal_doc.get("datasets_in_catalogue"),
        sampled=bool(portal_doc.get("sampled")),
        notes=list(run.get("notes") or []),
        requests=int(run.get("requests") or 0),
        incomplete=str(portal_doc.get("catalogue_incomplete") or ""),
        version=str(run.get("version") or ""),
    )


def write_json(result: AuditResult, out_dir: Path, doc: Mapping[str, Any] | None = None) -> Path:
    """Write ``report.json`` (``doc``, or the result's report) atomically into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        dump_json(doc if doc is not None else report_dict(result), fh)
    tmp.replace(path)
    return path
