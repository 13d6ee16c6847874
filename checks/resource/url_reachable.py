"""resource.url-reachable: the resource's link works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, ResourceCheck, register
from auditor.formats import expected_kinds


@register
class UrlReachable(ResourceCheck):
    """The resource URL answers with the file, not an error.

    **Why**: a broken download link is the most common reason residents give up on a
    portal. Blocked is not broken: a firewall challenge or throttling (403 challenge, 429)
    is recorded as an error, not held against the publisher.
    A domain that does not exist (NXDOMAIN) is broken; a name lookup that failed for now
    (the resolver's trouble) is an error, not held against the link.
    **details.kind**: ok, broken, blocked, timeout or unresolved (forbidden when the run may
    not fetch that host).
    """

    id = "resource.url-reachable"
    dimension = Dimension.ACCESSIBILITY
    weight = 3.0
    title = "Link works"
    fix = "Fix or replace the download link; if the file moved, point the resource at its new URL."

    def run(self, resource: Resource, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Probe the URL (shared with the format checks)."""
        sniff = resource.kind == "file" and expected_kinds(resource.format) is not None
        probe = ctx.probe(resource, sniff=sniff)
        details: dict[str, Any] = probe.details()
        if probe.kind == "ok":
            yield self.passed(dataset, probe.reason, resource=resource, **details)
        elif resource.kind == "api" and probe.status in (400, 405, 501):
            # Map services answer a bare GET with "missing parameters": they are alive.
            yield self.passed(dataset, f"service answered ({probe.reason})", resource=resource,
                              **{**details, "kind": "ok"})
        elif probe.kind in ("blocked", "forbidden", "unresolved"):
            yield self.errored(dataset, f"could not check: {probe.reason}", resource=resource, **details)
        else:
            yield self.failed(dataset, probe.reason, resource=resource, **details)
