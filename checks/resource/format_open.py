"""resource.format-open: the resource is in an open, machine-readable format."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, ResourceCheck, register
from auditor.formats import OPENNESS


@register
class FormatOpen(ResourceCheck):
    """The resource's format is open and machine-readable.

    **Why**: a table published as PDF has to be retyped before anyone can sort or map it;
    a proprietary format shuts out people without the vendor's software.
    **Value**: 1 open and machine-readable (CSV, JSON, GeoJSON, XML, ODS...), 0.5
    machine-readable but proprietary (XLSX, shapefile), 0.25 a document (PDF, Word),
    0 not data (HTML page, image). Passes at 1.
    """

    id = "resource.format-open"
    question = "reuse"
    dimension = Dimension.OPENNESS
    weight = 2.0
    title = "Open format"
    fix = "Publish a CSV, JSON or GeoJSON version next to the current file."

    def run(self, resource: Resource, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Look the format up in the openness table."""
        if resource.kind == "documentation":
            yield self.skipped(dataset, "documentation, not data", resource=resource)
            return
        fmt = resource.format
        if not fmt:
            yield self.failed(dataset, "no format declared and none recognisable from the URL",
                              resource=resource, format="")
            return
        value = OPENNESS.get(fmt)
        if value is None:
            yield self.failed(dataset, f"unrecognised format {fmt}", resource=resource,
                              value=0.5, format=fmt)
        elif value >= 1.0:
            yield self.passed(dataset, f"{fmt} is open and machine-readable", resource=resource,
                              format=fmt)
        else:
            level = {0.5: "machine-readable but proprietary", 0.25: "a document, not data"}.get(
                value, "not a data format")
            yield self.failed(dataset, f"{fmt} is {level}", resource=resource, value=value,
                              format=fmt)
