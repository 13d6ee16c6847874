"""portal-auditor: audit open-data portals and publish explainable usability scores.

This module is the check-author API: everything a check or renderer needs is importable
from here, and nothing heavy is imported on the way.
"""

from __future__ import annotations

from auditor.check import CheckContext, DatasetCheck, ResourceCheck, TableCheck  # noqa: E402
from auditor.model import (  # noqa: E402
    Column,
    Dataset,
    Dimension,
    Finding,
    Portal,
    Resource,
    Scope,
    Score,
    Status,
)
from auditor.registry import register  # noqa: E402
from auditor.version import __version__

__all__ = [
    "CheckContext",
    "Column",
    "Dataset",
    "DatasetCheck",
    "Dimension",
    "Finding",
    "Portal",
    "Resource",
    "ResourceCheck",
    "TableCheck",
    "Scope",
    "Score",
    "Status",
    "__version__",
    "register",
]
