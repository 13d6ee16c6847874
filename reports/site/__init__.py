"""A static report site residents can read: no server, no internet, everything escaped.

``publish`` writes a portal page (score, bands, departments, datasets with filter and
sort), one plain-language page per dataset, a methodology page generated from the check
registry and the rubric, and downloads (report.json, a CSV of every finding, SVG badges).
Every piece of portal text goes through Jinja's autoescaping; CSV cells that a
spreadsheet would run as a formula are neutralised; file names derived from dataset ids
cannot leave the output folder.
"""

from auditor.reports.site.publish import publish, safe_name

__all__ = ["publish", "safe_name"]
