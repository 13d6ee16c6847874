"""The ``auditor-report/1`` document: a result as plain data, and back, without loss.

The report is what the history store keeps and what every later command redraws from
(``auditor report``, ``diff``, ``publish``, incremental runs), so a result rebuilt from it
must render exactly as the original: each dataset carries its description, popularity,
tags, licence, contact, schedule and resources, not only its scores. Keys may be added in
this schema version, never renamed. A property test holds report -> result -> report equal.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from auditor.incremental import content_marker
from auditor.model import Dataset, Dimension, Finding, Portal, Resource, Score, Status
from auditor.result import AuditResult, DatasetResult
from auditor.timeutil import iso, parse_time

SCHEMA = "auditor-report/1"


def _score(score: Score) -> dict[str, Any]:
    # Sorted: the store may hand a document back with its keys in another order.
    return {"score": score.overall, "grade": score.grade, "dimensions": dict(sorted(score.dimensions.items())),
            "counts": dict(sorted(score.counts.items()))}


def safe(value: Any) -> Any:
    """JSON-safe evidence: no NaN, no bytes, no sets."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [safe(v) for v in value]
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
        "details": safe(f.details),
    }


def report_dict(result: AuditResult) -> dict[str, Any]:
    """The whole report as plain data, deterministic for a given result; secrets masked."""
    from auditor.redact import redact_data

    doc: dict[str, Any] = redact_data(_report(result))
    return doc


def _resource(r: Resource) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "url": r.url, "format": r.format, "media_type": r.media_type,
            "size": r.size, "modified": iso(r.modified), "kind": r.kind}


def _dataset(r: DatasetResult) -> dict[str, Any]:
    d = r.dataset
    return {
        "id": d.id,
        "title": d.title,
        "organization": d.organization,
        "url": d.url,
        "type": d.asset_type,
        "description": d.description,
        "license": d.license,
        "license_url": d.license_url,
        "contact": {"email": d.contact_email, "url": d.contact_url, "name": d.contact_name},
        "tags": list(d.tags),
        "update_frequency": d.update_frequency,
        "popularity": d.popularity,
        "language": d.language,
        "created": iso(d.created),
        "data_modified": iso(d.data_modified),
        "metadata_modified": iso(d.metadata_modified),
        "content_marker": content_marker(d),
        "resources": [_resource(res) for res in d.resources],
        **_score(r.score),
        "read": safe(r.read),
        "findings": [finding_dict(f) for f in r.findings],
    }


def _report(result: AuditResult) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "portal": {
            "url": result.portal.url,
            "platform": result.portal.platform,
            "title": result.portal.title,
            "score": result.score.overall,
            "grade": result.score.grade,
            "dimensions": dict(sorted(result.score.dimensions.items())),
            "counts": dict(sorted(result.score.counts.items())),
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
        "datasets": [_dataset(r) for r in result.datasets],
    }


def _score_from(doc: Mapping[str, Any]) -> Score:
    return Score(overall=doc.get("score"), grade=str(doc.get("grade") or ""),
                 dimensions=dict(doc.get("dimensions") or {}), counts=dict(doc.get("counts") or {}))


def _resource_from(doc: Mapping[str, Any], dataset_id: str) -> Resource:
    size = doc.get("size")
    return Resource(id=str(doc.get("id") or ""), dataset_id=dataset_id, url=str(doc.get("url") or ""),
                    name=str(doc.get("name") or ""), format=str(doc.get("format") or ""),
                    media_type=str(doc.get("media_type") or ""), size=size if isinstance(size, int) else None,
                    modified=parse_time(doc.get("modified")), kind=str(doc.get("kind") or "file"))


def dataset_from(ds: Mapping[str, Any]) -> Dataset:
    """The dataset as the report describes it (platform JSON is not kept)."""
    raw_contact = ds.get("contact")
    contact: Mapping[str, Any] = raw_contact if isinstance(raw_contact, Mapping) else {}
    dataset_id = str(ds["id"])
    return Dataset(
        id=dataset_id, title=str(ds.get("title") or ""), url=str(ds.get("url") or ""),
        description=str(ds.get("description") or ""), license=str(ds.get("license") or ""),
        license_url=str(ds.get("license_url") or ""), organization=str(ds.get("organization") or ""),
        contact_email=str(contact.get("email") or ""), contact_url=str(contact.get("url") or ""),
        contact_name=str(contact.get("name") or ""), tags=tuple(str(t) for t in ds.get("tags") or ()),
        update_frequency=str(ds.get("update_frequency") or ""), created=parse_time(ds.get("created")),
        metadata_modified=parse_time(ds.get("metadata_modified")), data_modified=parse_time(ds.get("data_modified")),
        asset_type=str(ds.get("type") or "dataset"),
        resources=tuple(_resource_from(r, dataset_id) for r in ds.get("resources") or () if isinstance(r, Mapping)),
        popularity=int(ds.get("popularity") or 0), language=str(ds.get("language") or ""),
    )


def result_from_report(doc: Mapping[str, Any]) -> AuditResult:
    """An AuditResult rebuilt from report.json, so any renderer can redraw a stored run."""
    portal_doc = doc.get("portal") or {}
    run = doc.get("run") or {}
    results = []
    for ds in doc.get("datasets") or []:
        dataset = dataset_from(ds)
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
