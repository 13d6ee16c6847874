"""Incremental audits: a dataset whose change markers did not move keeps its content findings.

Reading files is the expensive part of a nightly run; most datasets do not change from one
night to the next. A dataset's *content marker* is a hash of what the platform says about
its data: when the data last changed (Socrata ``rowsUpdatedAt``, CKAN resource
``last_modified``), when the record changed (``viewLastModified``, ``metadata_modified``),
and each file's URL, size and modification date. When tonight's marker equals last
night's, the content findings of last night are carried over (marked ``reused_from``) and
no file is downloaded; the metadata, link and freshness checks run as always. A dataset
with no marker at all is always read again: without a marker, "unchanged" cannot be known.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.model import Dataset, Dimension, Finding, Status
from auditor.timeutil import iso


class NotModified:
    """The server says a file has not changed since the validators of the previous run."""

    def __repr__(self) -> str:
        return "NotModified()"


NOT_MODIFIED = NotModified()


def content_marker(dataset: Dataset) -> str | None:
    """A stable hash of the dataset's change markers, or None when it has none."""
    files = sorted((r.url, r.size, iso(r.modified)) for r in dataset.resources if r.kind == "file")
    if dataset.data_modified is None and dataset.metadata_modified is None and not any(m for _, _, m in files):
        return None
    text = json.dumps([iso(dataset.data_modified), iso(dataset.metadata_modified), files], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Previous:
    """Last run's content findings, by dataset, with the markers they were made under."""

    started: str
    datasets: Mapping[str, tuple[str, Mapping[str, list[Mapping[str, Any]]]]]
    #: (dataset id, resource id) -> (the file's ETag / Last-Modified, its findings by check)
    files: Mapping[tuple[str, str], tuple[Mapping[str, str], Mapping[str, list[Mapping[str, Any]]]]] = \
        field(default_factory=dict)

    def file(self, dataset_id: str, resource_id: str
             ) -> tuple[Mapping[str, str], Mapping[str, list[Mapping[str, Any]]]] | None:
        """Validators and findings of a file read last run, for a conditional request."""
        return self.files.get((dataset_id, resource_id))

    def reuse_file(self, dataset_id: str, resource_id: str, check: str) -> list[Finding]:
        """Last run's findings of ``check`` on one file the server says has not changed."""
        known = self.file(dataset_id, resource_id)
        kept = known[1].get(check, []) if known else []
        return [self._finding(dataset_id, check, f, not_modified=True) for f in kept]

    def _finding(self, dataset_id: str, check: str, f: Mapping[str, Any], *, not_modified: bool = False) -> Finding:
        extra: dict[str, Any] = {"reused_from": self.started}
        if not_modified:
            extra["not_modified"] = True
        return Finding(check=check, dimension=Dimension(f["dimension"]), weight=float(f.get("weight") or 0),
                       status=Status(f["status"]), dataset_id=dataset_id, message=str(f.get("message") or ""),
                       resource_id=f.get("resource"), value=f.get("value"),
                       details={**(f.get("details") or {}), **extra})

    def reuse(self, dataset: Dataset, marker: str | None, check: str) -> list[Finding] | None:
        """Last run's findings of ``check`` on ``dataset`` if its marker has not moved."""
        if marker is None:
            return None
        found = self.datasets.get(dataset.id)
        if found is None or found[0] != marker or check not in found[1]:
            return None
        return [self._finding(dataset.id, check, f) for f in found[1][check]]


def previous_content(report: Mapping[str, Any] | None, content_checks: set[str]) -> Previous | None:
    """The reusable part of a stored report (None when there is none)."""
    if not report:
        return None
    datasets: dict[str, tuple[str, dict[str, list[Mapping[str, Any]]]]] = {}
    files: dict[tuple[str, str], tuple[Mapping[str, str], dict[str, list[Mapping[str, Any]]]]] = {}
    for ds in report.get("datasets") or []:
        _files(ds, content_checks, files)
        marker = ds.get("content_marker")
        if not marker:
            continue
        by_check: dict[str, list[Mapping[str, Any]]] = {}
        for f in ds.get("findings") or []:
            # A file that could not be read last night is read again: only judged content is kept.
            if f["check"] in content_checks:
                by_check.setdefault(f["check"], []).append(f)
        if by_check and not any(f["status"] == "error" for fs in by_check.values() for f in fs):
            datasets[ds["id"]] = (marker, by_check)
    return Previous(str((report.get("run") or {}).get("started") or ""), datasets, files)


def _files(ds: Mapping[str, Any], content_checks: set[str],
           out: dict[tuple[str, str], tuple[Mapping[str, str], dict[str, list[Mapping[str, Any]]]]]) -> None:
    """Each file of a dataset that was read and carries validators, with its content findings."""
    by_resource: dict[str, list[Mapping[str, Any]]] = {}
    for f in ds.get("findings") or []:
        if f["check"] in content_checks and f.get("resource"):
            by_resource.setdefault(f["resource"], []).append(f)
    for resource, findings in by_resource.items():
        validators = next((f["details"]["validators"] for f in findings
                           if isinstance((f.get("details") or {}).get("validators"), dict)), None)
        if not validators or any(f["status"] == "error" for f in findings):
            continue
        by_check: dict[str, list[Mapping[str, Any]]] = {}
        for f in findings:
            by_check.setdefault(f["check"], []).append(f)
        out[(ds["id"], resource)] = (validators, by_check)
