"""The one HTTP client every source and check goes through: polite and resilient by default.

Policy lives here, not in the sources: a timeout on every request, an honest User-Agent
(without the word that web-application firewalls block), a concurrency cap per host,
``Retry-After`` honoured on 429/503, exponential backoff with jitter on transient failures,
and the portal's app token sent to the portal's own host only, re-checked on every redirect.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from auditor import __version__
from auditor.errors import FetchError

USER_AGENT = (
    f"portal-auditor/{__version__} (+https://github.com/portal-auditor/portal-auditor; "
    "open-data usability audit)"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Longest Retry-After we are willing to wait; beyond it the host is treated as blocking us.
MAX_RETRY_AFTER = 120.0


@dataclass(frozen=True)
class HttpSettings:
    """Knobs of the HTTP layer; every one has a polite default."""

    timeout: float = 30.0
    per_host: int = 4
    retries: int = 3
    backoff: float = 0.5
    min_interval: float = 0.0
    app_token: str = ""
    token_host: str = ""
    allowed_hosts: frozenset[str] | None = None  # None: any host
    user_agent: str = USER_AGENT


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpClient:
    """A thread-safe wrapper over ``httpx.Client`` that adds the politeness policy."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or HttpSettings()
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._last_start: dict[str, float] = {}
        self.requests = 0
        s = self.settings
        self._client = httpx.Client(
            timeout=httpx.Timeout(s.timeout),
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=10,
            transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            event_hooks={"request": [self._on_request]},
        )

    # -- policy hooks ---------------------------------------------------------------------
    def _on_request(self, request: httpx.Request) -> None:
        """Runs for every request, redirects included: host guard and token placement."""
        s = self.settings
        host = request.url.host
        if s.allowed_hosts is not None and host not in s.allowed_hosts:
            raise FetchError(f"host {host} is not allowed in this run", kind="forbidden")
        if s.app_token and host == s.token_host:
            request.headers["X-App-Token"] = s.app_token
        else:
            # Never leak the token to a resource host or after a cross-host redirect.
            request.headers.pop("X-App-Token", None)
        with self._lock:
            self.requests += 1

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        with self._lock:
            sem = self._slots.setdefault(host, threading.BoundedSemaphore(self.settings.per_host))
        with sem:
            if self.settings.min_interval:
                self._pace(host)
            yield

    def _pace(self, host: str) -> None:
        with self._lock:
            last = self._last_start.get(host, 0.0)
            start = max(time.monotonic(), last + self.settings.min_interval)
            self._last_start[host] = start
        delay = start - time.monotonic()
        if delay > 0:
            self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        # Full jitter keeps many workers from retrying in lock-step.
        return self.settings.backoff * (2**attempt) * (0.5 + random.random())

    # -- requests -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        retry_statuses: frozenset[int] = RETRY_STATUSES,
    ) -> httpx.Response:
        """Send a request with retries; the body is read. Raises FetchError when it fails."""
        with self._send(method, url, params, headers, retry_statuses, stream=False) as resp:
            return resp

    @contextmanager
    def stream(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None
    ) -> Iterator[httpx.Response]:
        """Like :meth:`request` but the body is left unread for the caller to stream."""
        with self._send(method, url, None, headers, RETRY_STATUSES, stream=True) as resp:
            yield resp

    @contextmanager
    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        retry_statuses: frozenset[int],
        *,
        stream: bool,
    ) -> Iterator[httpx.Response]:
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL {url!r}: {exc}", kind="broken") from None
        if not host:
            raise FetchError(f"invalid URL {url!r}", kind="broken")
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                with self._slot(host):
                    req = self._client.build_request(method, url, params=params, headers=headers)
                    resp = self._client.send(req, stream=True)
                    if not stream or (resp.status_code in retry_statuses and not last):
                        resp.read()
            except FetchError:
                raise
            except httpx.TimeoutException:
                if last:
                    raise FetchError(
                        f"timed out after {self.settings.timeout:g} s", kind="timeout"
                    ) from None
                self._sleep(self._backoff(attempt))
                continue
            except httpx.TooManyRedirects:
                raise FetchError("too many redirects", kind="broken") from None
            except (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                if last:
                    raise FetchError(_describe_transport_error(exc), kind="broken") from None
                self._sleep(self._backoff(attempt))
                continue
            if resp.status_code in retry_statuses and not last:
                wait = parse_retry_after(resp.headers.get("Retry-After"))
                if wait is not None and wait > MAX_RETRY_AFTER:
                    # A server asking us to come back much later is throttling, not broken.
                    yield resp
                    resp.close()
                    return
                self._sleep(wait if wait is not None else self._backoff(attempt))
                resp.close()
                continue
            try:
                yield resp
            finally:
                resp.close()
            return

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode JSON; HTTP errors and non-JSON bodies raise FetchError."""
        resp = self.request("GET", url, params=params, headers={"Accept": "application/json"})
        if resp.status_code >= 400:
            raise FetchError(
                f"HTTP {resp.status_code} from {_short(str(resp.url))}{_api_message(resp)}",
                kind="blocked" if resp.status_code in (401, 403, 429) else "broken",
                status=resp.status_code,
            )
        text = resp.text
        if text.lstrip()[:1] == "<":
            raise FetchError(
                f"HTML instead of JSON from {_short(str(resp.url))}", kind="not-json",
                status=resp.status_code,
            )
        try:
            return json.loads(text)
        except ValueError as exc:
            raise FetchError(
                f"malformed JSON from {_short(str(resp.url))}: {exc}", kind="not-json",
                status=resp.status_code,
            ) from None

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _api_message(resp: httpx.Response) -> str:
    """The platform's own error message (Socrata ``message``, CKAN ``error.message``)."""
    try:
        body = resp.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        err = body.get("error")
        msg = err.get("message") if isinstance(err, dict) else body.get("message")
        if isinstance(msg, str) and msg:
            return f": {msg[:200]}"
    return ""


def _describe_transport_error(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename nor servname" in lowered:
            return f"host not found ({text})"
        if "refused" in lowered:
            return "connection refused"
        return f"could not connect ({text})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"connection dropped by the server ({text})"
    return f"{type(exc).__name__}: {text}"
