"""resource.url-reachable: the resource's link works."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, ResourceCheck, register
from auditor.formats import capabilities_url, expected_kinds


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
    question = "download"
    dimension = Dimension.ACCESSIBILITY
    weight = 3.0
    title = "Link works"
    fix = "Fix or replace the download link; if the file moved, point the resource at its new URL."

    def run(self, resource: Resource, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Probe the URL (shared with the format checks)."""
        sniff = resource.kind == "file" and expected_kinds(resource.format) is not None
        asked = capabilities_url(resource.url, resource.format) if resource.kind == "api" else resource.url
        if asked != resource.url:
            # An OGC service is asked what it offers, the way its protocol expects.
            probe = ctx.probe(replace(resource, url=asked), sniff=False)
        else:
            probe = ctx.probe(resource, sniff=sniff)
        details: dict[str, Any] = probe.details()
        if probe.kind == "ok":
            said = f"service answered GetCapabilities ({probe.reason})" if asked != resource.url else probe.reason
            yield self.passed(dataset, said, resource=resource, **details)
        elif resource.kind == "api" and probe.status in (400, 405, 501):
            # Map services answer a bare GET with "missing parameters": they are alive.
            yield self.passed(dataset, f"service answered ({probe.reason})", resource=resource,
                              **{**details, "kind": "ok"})
        elif probe.kind in ("blocked", "forbidden", "unresolved"):
            yield self.errored(dataset, f"could not check: {probe.reason}", resource=resource, **details)
        else:
            yield self.failed(dataset, probe.reason, resource=resource, **details)

    @classmethod
    def advice(cls, finding: Finding) -> str:
        """Advice by cause: gone, refused, throttled, challenged, slow, unresolvable."""
        details = finding.details
        status, kind, reason = details.get("status"), details.get("kind"), finding.message.lower()
        if "challenge" in reason:
            return ("Ask whoever runs the file server to let automated downloads through: a firewall challenge "
                    "(a page asking a browser to prove it is human) stops scripts and data tools, not only this audit.")
        if status == 429 or kind == "blocked" and "throttl" in reason:
            return "The server throttles downloads: raise its rate limit for public data, or publish the file on "\
                   "the portal's own storage."
        if status in (401, 407) or "login" in reason:
            return "Publish the file where it needs no login, or remove it from the public catalogue."
        if status in (404, 410):
            return "The file is gone: point the resource at the file's new address, or upload it again."
        if status == 403:
            return "The server refuses the download: make the file public, or link to a public copy."
        if isinstance(status, int) and status >= 500:
            return "The file server fails: tell whoever runs it (the error is on their side), or move the file."
        if kind == "timeout":
            return "The server does not answer in time: check that it is up and not overloaded, or move the file."
        if kind == "unresolved" or "host not found" in reason or "does not exist" in reason:
            return "The link's domain does not resolve: fix the address (a typo, an expired domain) or move the file."
        return cls.fix

