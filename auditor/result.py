"""What an audit produced: the result types every renderer, the store and the scheduler share.

They live in the core, beside the model, so that ``reports/`` only renders and nothing needs
the orchestration module to name a result. ``auditor.report`` turns them into the
``auditor-report/1`` document and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.model import Dataset, Finding, Portal, Score, Status
from auditor.version import __version__


@dataclass
class DatasetResult:
    """A dataset with its findings and score, and what the auditor read in its record
    (the ``read`` section of report.json, see auditor.reading)."""

    dataset: Dataset
    findings: list[Finding]
    score: Score
    read: dict[str, Any] = field(default_factory=dict)


@dataclass
class AuditResult:
    """Everything one audit produced."""

    portal: Portal
    started: datetime
    finished: datetime
    datasets: list[DatasetResult]
    score: Score
    departments: dict[str, Score]
    catalogue_size: int | None
    sampled: bool
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    #: Why the catalogue was not read to its end; "" when it was.
    incomplete: str = ""
    version: str = __version__




def failing(result: DatasetResult) -> list[Finding]:
    """A dataset's FAIL and ERROR findings, worst first."""
    bad = [f for f in result.findings if f.status in (Status.FAIL, Status.ERROR)]
    return sorted(bad, key=lambda f: (f.status != Status.FAIL, -f.weight * (1 - (f.value or 0))))
