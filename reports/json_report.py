"""report.json on disk: the core's ``auditor-report/1`` document (auditor.report), written
atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.atomic import write_file
from auditor.redact import dump_json
from auditor.report import report_dict
from auditor.result import AuditResult


def write_json(result: AuditResult, out_dir: Path, doc: Mapping[str, Any] | None = None) -> Path:
    """Write ``report.json`` (``doc``, or the result's report) atomically into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    write_file(path, lambda fh: dump_json(doc if doc is not None else report_dict(result), fh))
    return path
