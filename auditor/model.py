"""The neutral model every source maps to and every check reads.

Frozen, slotted dataclasses: cheap in bulk, hashable, and impossible to mutate by accident
while a thread pool audits datasets in parallel. Platform JSON stays in ``raw`` so a check
that needs a platform field can still read it, and so reports can show the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from auditor.frequency import Frequency, parse_frequency


class Scope(StrEnum):
    """What a check looks at."""

    PORTAL = "portal"
    DATASET = "dataset"
    RESOURCE = "resource"


class Status(StrEnum):
    """Outcome of one check on one subject.

    ``FAIL`` is a fact about the data; ``ERROR`` means the check or the fetch broke;
    ``SKIP`` means the check does not apply. Only PASS and FAIL enter a score.
    """

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


class Dimension(StrEnum):
    """The six usability dimensions a score is made of."""

    FINDABILITY = "findability"
    ACCESSIBILITY = "accessibility"
    OPENNESS = "openness"
    TIMELINESS = "timeliness"
    UNDERSTANDABILITY = "understandability"
    DATA_QUALITY = "data_quality"


@dataclass(frozen=True, slots=True)
class Portal:
    """A catalogue: its base URL (which may carry a path prefix) and platform."""

    url: str
    platform: str
    title: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Column:
    """One documented (or undocumented) column of a tabular dataset."""

    name: str
    field_name: str = ""
    type: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Resource:
    """A file, API endpoint or link published as part of a dataset."""

    id: str
    dataset_id: str
    url: str
    name: str = ""
    format: str = ""
    media_type: str = ""
    size: int | None = None
    modified: datetime | None = None
    kind: str = "file"  # file | api | documentation | link
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Dataset:
    """A catalogue entry as a resident meets it, mapped from any platform.

    ``data_modified`` is when the *data* last changed (Socrata ``rowsUpdatedAt``, CKAN the
    newest resource ``last_modified``); ``metadata_modified`` only says the page was edited.
    ``columns`` is ``None`` when the platform does not describe columns at all, and an empty
    tuple when it says the dataset has none. ``frequency`` is the declared schedule as the
    source parsed it (it knows its fields' conventions, such as HDX's day counts).
    ``provenance`` names the field each fact was read from (``update_frequency``,
    ``data_modified``, ``contact``, ``organization``, ``license``, ``columns``), and
    ``language`` the language chosen where a field held several.
    """

    id: str
    title: str
    url: str = ""
    description: str = ""
    license: str = ""
    license_url: str = ""
    organization: str = ""
    contact_email: str = ""
    contact_name: str = ""
    contact_url: str = ""
    tags: tuple[str, ...] = ()
    update_frequency: str = ""
    created: datetime | None = None
    metadata_modified: datetime | None = None
    data_modified: datetime | None = None
    asset_type: str = "dataset"
    columns: tuple[Column, ...] | None = None
    resources: tuple[Resource, ...] = ()
    popularity: int = 0
    frequency: Frequency | None = None
    language: str = ""
    provenance: Mapping[str, str] = field(default_factory=dict, compare=False)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def schedule(self) -> Frequency:
        """The declared update frequency, parsed: the source's reading while it is a reading of
        ``update_frequency`` (a copy with another text is parsed afresh)."""
        if self.frequency is not None and self.frequency.label == self.update_frequency:
            return self.frequency
        return parse_frequency(self.update_frequency)


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's verdict on one subject, with the evidence behind it.

    ``value`` is the share satisfied in 0..1 (1.0 for a plain pass), ``None`` for ERROR and
    SKIP. Dimension and weight are copied in at run time so a stored run explains itself
    even after the rubric changes.
    """

    check: str
    dimension: Dimension
    weight: float
    status: Status
    dataset_id: str
    message: str
    resource_id: str | None = None
    value: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, str]:
        """Deterministic order: dataset, then check, then resource."""
        return (self.dataset_id, self.check, self.resource_id or "")


@dataclass(frozen=True, slots=True)
class Score:
    """A 0-100 score with its dimension breakdown and the counts behind it.

    ``overall`` is ``None`` when nothing could be scored (everything errored or was
    skipped): a subject that could not be judged must never look healthy.
    """

    overall: float | None
    grade: str
    dimensions: Mapping[str, float | None]
    counts: Mapping[str, int]
