"""Renderers: an AuditResult in, a report out. Built-ins register like any plugin."""

from __future__ import annotations

from reports.console import render_console
from reports.json_report import SCHEMA, report_dict, result_from_report, write_json

__all__ = ["SCHEMA", "render_console", "report_dict", "result_from_report", "write_json"]
