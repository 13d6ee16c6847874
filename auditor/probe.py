"""One look at a resource URL, shared by every check that needs it.

A probe answers "can a resident get this file, and is it what it says it is?" with as
little traffic as possible: a ranged GET that reads only the first few kilobytes when the
format must be sniffed, otherwise HEAD with a GET fallback (some servers refuse HEAD).
Blocked is kept apart from broken: a firewall challenge or a 429 says nothing about the
file, so it must not count against the publisher.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from auditor.errors import FetchError
from auditor.http import HttpClient, describe_transport_error

SNIFF_BYTES = 4096
_CHALLENGE_MARKERS = (b"cf-chl", b"challenge-platform", b"captcha", b"attention required",
                      b"access denied", b"request unsuccessful. incapsula", b"just a moment")


@dataclass(frozen=True)
class Probe:
    """What one request (plus fallbacks) learned about a URL."""

    url: str
    kind: str  # ok | broken | blocked | timeout | forbidden | unresolved
    reason: str
    status: int | None = None
    final_url: str = ""
    content_type: str = ""
    content_length: int | None = None
    method: str = "GET"
    head: bytes = b""

    def details(self) -> dict[str, object]:
        """JSON-safe evidence for a finding."""
        out: dict[str, object] = {"kind": self.kind, "url": self.url, "method": self.method}
        if self.status is not None:
            out["status"] = self.status
        if self.final_url and self.final_url != self.url:
            out["final_url"] = self.final_url
        if self.content_type:
            out["content_type"] = self.content_type
        if self.content_length is not None:
            out["content_length"] = self.content_length
        return out


def classify(status: int, headers: httpx.Headers, body: bytes) -> tuple[str, str]:
    """(kind, reason) for an HTTP status, telling firewalls and throttling from dead links."""
    if status < 400:
        return "ok", f"HTTP {status}"
    lowered = body[:2048].lower()
    challenged = headers.get("cf-mitigated", "").lower() == "challenge" or any(
        marker in lowered for marker in _CHALLENGE_MARKERS
    )
    if status == 429:
        return "blocked", "HTTP 429: the server is throttling requests"
    if status in (401, 407):
        return "blocked", f"HTTP {status}: the server asks for a login"
    if status in (403, 503) and challenged:
        return "blocked", f"HTTP {status}: a firewall challenge stopped the request"
    if status == 403:
        return "broken", "HTTP 403: access denied"
    if status in (404, 410):
        return "broken", f"HTTP {status}: not found"
    if status >= 500:
        return "broken", f"HTTP {status}: server error"
    return "broken", f"HTTP {status}"


def probe(http: HttpClient, url: str, *, sniff: bool) -> Probe:
    """Probe ``url``; never raises for network or HTTP trouble."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return Probe(url, "broken", "not an http(s) URL" if url else "no URL given")
    if not sniff:
        head = _attempt(http, url, "HEAD")
        # Some servers answer HEAD with 403/405/501 but serve GET fine (ckan/ckan#2530).
        if head.kind == "ok" or head.kind in ("timeout", "forbidden"):
            return head
    return _attempt(http, url, "GET")


def _attempt(http: HttpClient, url: str, method: str) -> Probe:
    headers = {"Range": f"bytes=0-{SNIFF_BYTES - 1}"} if method == "GET" else {}
    try:
        with http.stream(method, url, headers=headers) as resp:
            body = b""
            if method == "GET":
                for chunk in http.chunks(resp, deadline=http.settings.timeout):
                    body += chunk
                    if len(body) >= SNIFF_BYTES:
                        break
            kind, reason = classify(resp.status_code, resp.headers, body)
            length = resp.headers.get("Content-Length")
            return Probe(
                url,
                kind,
                reason,
                status=resp.status_code,
                final_url=str(resp.url),
                content_type=resp.headers.get("Content-Type", ""),
                content_length=int(length) if length and length.isdigit() else None,
                method=method,
                head=body[:SNIFF_BYTES],
            )
    except FetchError as exc:
        kind = exc.kind if exc.kind in ("timeout", "forbidden", "blocked", "unresolved") else "broken"
        return Probe(url, kind, str(exc), status=exc.status, method=method)
    except httpx.HTTPError as exc:
        # A body cut off mid-stream: the server answered, then dropped the connection.
        return Probe(url, "broken", describe_transport_error(exc), method=method)
