"""Renderers: an AuditResult in, a view of it out (terminal, report.json on disk, site).

The report's schema and the result types live in the core (``auditor.report``,
``auditor.result``); this package only renders them.
"""

from __future__ import annotations

from auditor.reports.console import render_console, wants_colour
from auditor.reports.json_report import write_json

__all__ = ["render_console", "wants_colour", "write_json"]
