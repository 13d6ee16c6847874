"""resource.format-matches: the file is what its declared format says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, ResourceCheck, register
from auditor.formats import expected_kinds, sniff


@register
class FormatMatches(ResourceCheck):
    """The first bytes of the file match its declared format.

    **Why**: a "CSV" link that serves an HTML login page or an error page breaks every
    spreadsheet and script that opens it, while looking fine in the catalogue.
    **How**: reads only the first 4 KB (a ranged request) and compares what they look like
    (text, JSON, XML, ZIP, PDF, HTML...) with the declared format.
    """

    id = "resource.format-matches"
    question = "download"
    dimension = Dimension.ACCESSIBILITY
    weight = 2.0
    title = "Format as declared"
    fix = "Point the resource at the actual file, or correct its declared format."

    def run(self, resource: Resource, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Sniff and compare."""
        expected = expected_kinds(resource.format)
        if resource.kind != "file" or expected is None:
            yield self.skipped(dataset, f"no byte signature to check for {resource.format or 'this resource'}",
                               resource=resource)
            return
        probe = ctx.probe(resource, sniff=True)
        if probe.kind != "ok":
            yield self.skipped(dataset, f"not downloadable ({probe.reason})", resource=resource)
            return
        found = sniff(probe.head, probe.content_type)
        details: dict[str, Any] = {"declared": resource.format, "detected": found,
                   "content_type": probe.content_type}
        if found in expected:
            yield self.passed(dataset, f"{resource.format} as declared", resource=resource, **details)
        elif found == "empty":
            yield self.failed(dataset, "the file is empty", resource=resource, **details)
        else:
            yield self.failed(dataset, f"declared {resource.format} but serves {found}",
                              resource=resource, **details)

    @classmethod
    def advice(cls, finding: Finding) -> str:
        """An HTML page where a file was declared is usually a login or error page."""
        if "html" in finding.message.lower():
            return ("The link serves a web page, not the file: link straight to the file (not to a page about it, "
                    "a login or an error page).")
        return cls.fix

