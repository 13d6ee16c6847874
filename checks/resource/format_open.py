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
    A ZIP is judged by what it holds (its table of contents is read with one ranged
    request): a ZIP of CSV files is CSV, a zipped shapefile is a shapefile. OGC services
    (WMS, WMTS, WFS) are open standards.
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
        inside = ""
        if fmt == "ZIP" and resource.kind == "file":
            from auditor.zipinfo import contents_format, fetch_members

            names = fetch_members(ctx.http, resource.url)
            if names:
                found, inside = contents_format(names)
                fmt = found or fmt
        if not fmt:
            yield self.failed(dataset, "no format declared and none recognisable from the URL",
                              resource=resource, format="")
            return
        value = OPENNESS.get(fmt)
        if inside:
            label = f"{inside}: {fmt}" if fmt != "ZIP" else inside
            value = 0.5 if value is None else value
            if value >= 1.0:
                yield self.passed(dataset, f"{label} is open and machine-readable", resource=resource, format=fmt,
                                  contents=inside)
            else:
                yield self.failed(dataset, f"{label}, {_level(value)}", resource=resource, value=value, format=fmt,
                                  contents=inside)
            return
        if value is None:
            yield self.failed(dataset, f"unrecognised format {fmt}", resource=resource,
                              value=0.5, format=fmt)
        elif value >= 1.0:
            yield self.passed(dataset, f"{fmt} is open and machine-readable", resource=resource,
                              format=fmt)
        else:
            yield self.failed(dataset, f"{fmt} is {_level(value)}", resource=resource, value=value,
                              format=fmt)


def _level(value: float) -> str:
    return {0.5: "machine-readable but proprietary", 0.25: "a document, not data"}.get(value, "not a data format")
