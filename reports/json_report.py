"""report.json in the versioned ``auditor-report/1`` schema (keys may be added, never renamed)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.model import Finding, Score
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
    """The whole report as plain data, deterministic for a given result."""
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
                **_score(r.score),
                "findings": [finding_dict(f) for f in r.findings],
            }
            for r in result.datasets
        ],
    }


def write_json(result: AuditResult, out_dir: Path) -> Path:
    """Write ``report.json`` atomically into ``out_dir``; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)
    return path
