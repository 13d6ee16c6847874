"""resource.text-encoding: the file is UTF-8 text with ordinary line endings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.table import TableAnalysis


@register
class TextEncoding(TableCheck):
    """The file is UTF-8 and uses LF or CRLF line endings.

    **Why**: a Windows-1252 or UTF-16 file shows accented names and currency signs as
    garbage in most tools, and classic-Mac CR-only line endings make many readers see the
    whole file as one line. Converting is trivial for the publisher and hard for everyone else.
    **How**: the whole file is checked, not a sample (frictionless decides from the first
    10,000 bytes and is fooled when the first accented byte comes later). A readable
    non-UTF-8 file is reported here once, and then read correctly by the other checks.
    """

    id = "resource.text-encoding"
    question = "sound"
    dimension = Dimension.DATA_QUALITY
    weight = 1.0
    title = "UTF-8 text"
    fix = "Save or export the file as UTF-8 (\"CSV UTF-8\" in spreadsheet programs) with LF or CRLF line endings."

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """UTF-8 passes (a BOM is noted); anything else fails once, with where it starts."""
        assert table.info is not None and table.dialect is not None
        info, dialect = table.info, table.dialect
        details: dict[str, Any] = {**info.details(), "line_ending": dialect.line_ending}
        problems = []
        if not info.is_utf8:
            where = (f" (first non-UTF-8 byte on line {info.first_non_utf8_line:,})"
                     if info.first_non_utf8_line and info.first_non_utf8_line > 1 else "")
            others = [c for c in info.candidates if c != info.label]
            chosen = (f"; read as {info.label}, the most plausible of {', '.join([info.label, *others[:4]])}"
                      if others else "")
            problems.append(f"encoded as {info.label}, not UTF-8{where}{chosen}")
        if dialect.line_ending == "CR":
            problems.append("old Mac CR-only line endings")
        if problems:
            yield self.failed(dataset, "; ".join(problems), resource=resource, value=0.5, **details)
        else:
            yield self.passed(dataset, f"{info.label} text, {dialect.line_ending} line endings",
                              resource=resource, **details)
