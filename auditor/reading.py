"""What the auditor read in a dataset's record, and where from: the ``read`` section.

Every metadata verdict rests on a reading of the record (is there a description, which
licence, which schedule, when the data changed, who to ask, which department, are the
columns explained). This module makes that reading once, for the checks and for the
report, so a verdict and the evidence shown beside it cannot disagree. The section's
fields are documented in docs/checks.md ("What the auditor read").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from auditor.licenses import classify_license
from auditor.model import Dataset
from auditor.timeutil import iso

#: Descriptions that say nothing: a placeholder a form left behind.
PLACEHOLDERS = frozenset({
    "notes", "note", "tbd", "todo", "n/a", "na", "none", "null", "description", "beschreibung", "description here",
    "no description", "keine beschreibung", "-", ".", "...", "test", "lorem ipsum", "pending", "coming soon",
})


def description_text(dataset: Dataset) -> str:
    """The description without markup and with white space folded."""
    text = re.sub(r"<[^>]+>", " ", dataset.description or "")
    text = re.sub(r"&nbsp;|&#160;", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def description_state(dataset: Dataset) -> str:
    """``present``, ``missing``, ``title`` (the title repeated) or ``placeholder``."""
    text = description_text(dataset)
    if not text:
        return "missing"
    folded = re.sub(r"[\s.:!]+$", "", text.casefold())
    if folded == re.sub(r"[\s.:!]+$", "", dataset.title.strip().casefold()):
        return "title"
    if folded in PLACEHOLDERS:
        return "placeholder"
    return "present"


#: Asset types with no columns of their own to explain.
NON_TABULAR = frozenset({"map", "file", "href", "link", "story", "chart", "visualization", "measure", "calendar",
                         "form", "datalens", "federated_href", "harvest"})


@dataclass(frozen=True)
class ColumnsState:
    """How well the columns are explained: ``all``, ``some``, ``none``, ``n/a`` (nothing
    tabular to explain) or ``unknown`` (the dictionary could not be read)."""

    documented: str
    total: int = 0
    described: int = 0
    documentation: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        return self.described / self.total if self.total else 0.0


def columns_state(dataset: Dataset) -> ColumnsState:
    """The columns' documentation as a resident meets it.

    A data dictionary attached as a resource documents every column; otherwise the share
    of columns with a description decides; a map, file or link asset, or a dataset with
    no data files, has nothing to explain.
    """
    docs = tuple(r.name or r.url for r in dataset.resources if r.kind == "documentation")
    columns = dataset.columns or ()
    described = sum(1 for c in columns if c.description.strip())
    if docs:
        return ColumnsState("all", len(columns), described, docs)
    if columns:
        state = "all" if described == len(columns) else "some" if described else "none"
        return ColumnsState(state, len(columns), described)
    if dataset.provenance.get("columns", "").startswith("unavailable"):
        return ColumnsState("unknown")
    if dataset.asset_type in NON_TABULAR:
        return ColumnsState("n/a")
    if not any(r.kind in ("file", "api") for r in dataset.resources):
        return ColumnsState("n/a")
    return ColumnsState("none")


def read_dataset(dataset: Dataset) -> dict[str, Any]:
    """The ``read`` section of a dataset in report.json."""
    prov = dataset.provenance
    freq = dataset.schedule()
    licence = classify_license(dataset.license, dataset.license_url)
    columns = columns_state(dataset)
    text = description_text(dataset)
    return {
        "language": dataset.language or None,
        "description": {"present": description_state(dataset) == "present", "state": description_state(dataset),
                        "length": len(text)},
        "licence": {"value": licence.name or None, "field": prov.get("license") or None, "state": licence.state,
                    "open": licence.state == "open", "od_id": licence.od_id or None},
        "frequency": {"raw": freq.label or None, "field": prov.get("update_frequency") or None, "kind": freq.kind,
                      "period_days": round(freq.days, 4) if freq.days is not None else None,
                      "words": freq.words()},
        "data_updated": {"date": iso(dataset.data_modified), "field": prov.get("data_modified") or None},
        "contact": {"email": dataset.contact_email or None, "url": dataset.contact_url or None,
                    "name": dataset.contact_name or None, "field": prov.get("contact") or None},
        "department": {"value": dataset.organization or None, "field": prov.get("organization") or None},
        "columns": {"documented": columns.documented, "count": columns.total, "described": columns.described,
                    "documentation": list(columns.documentation), "field": prov.get("columns") or None},
    }
