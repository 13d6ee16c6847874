"""Content analysers, one per file, each named after the check it serves.

Each analyser picks its columns from what the column means (its name, the type the portal
declared or frictionless inferred, and its values), counts problems over *every* row in
vectorised pyarrow, and keeps a few examples with their row numbers. Each names the Great
Expectations expectation it corresponds to, so a finding reads the same way as a GX
validation result. This module holds what they share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from auditor.table.arrow import RowMap

EXAMPLES = 3
_SENTINELS = ("1900-01-01", "1970-01-01", "1899-12-30", "1753-01-01")
_FUTURE_WORDS = ("expir", "due", "target", "schedul", "plan", "end", "until", "valid", "renew", "next",
                 "forecast", "projected", "estimated")
_DATE_WORDS = ("date", "dt", "time", "timestamp", "created", "closed", "updated", "opened", "day", "when")
_ID_NAMES = frozenset({
    "id", "objectid", "object_id", "fid", "uid", "unique_key", "uniquekey", "record_id", "recordid", "row_id",
    "case_number", "casenumber", "case_no", "case_id", "caseid", "case_enquiry_id", "request_id", "requestid",
    "service_request_id", "service_request_number", "sr_number", "ticket_id", "ticket_number",
    "incident_id", "incident_number", "complaint_id", "complaint_number", "permit_number", "permit_id",
    "inspection_id", "violation_id", "license_number", "licence_number", "application_number",
})


def norm(name: str) -> str:
    """snake_case of a column label: ``Case Number`` -> ``case_number``."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def tokens(name: str) -> list[str]:
    """Words of a column label."""
    return [t for t in norm(name).split("_") if t]


def _rows(rows: RowMap, indices: Sequence[int]) -> list[int]:
    return [rows.record(i) for i in indices[:EXAMPLES]]


def _median(values: Any) -> float | None:
    import numpy as np

    if len(values) == 0:
        return None
    return float(np.median(values.to_numpy()))
