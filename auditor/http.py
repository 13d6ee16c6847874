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
from dataclasses import dataclass, field
from typing import Any

import httpx

from auditor.errors import TEMPORARY_DNS, FetchError
from auditor.hosts import Host as _Host
from auditor.settings import DEFAULTS
from auditor.version import __version__

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

    timeout: float = DEFAULTS.timeout
    per_host: int = DEFAULTS.concurrency
    retries: int = DEFAULTS.retries
    backoff: float = 0.5
    min_interval: float = 0.0
    app_token: str = field(default="", repr=False)
    token_host: str = ""
    allowed_hosts: frozenset[str] | None = None  # None: any host
    user_agent: str = USER_AGENT
    #: The portal URL as the user gave it: its origin is trusted by the address guard.
    origin: str = ""
    #: Non-public networks, addresses or host[:port] that may be fetched (intranet portals).
    allow_addresses: tuple[str, ...] = ()
    #: Refuse loopback, private, link-local and metadata addresses (see auditor.netguard).
    guard: bool = True
    #: Largest API (JSON) body read into memory; catalogue pages are far smaller.
    max_json_mb: float = 64.0
    #: Longest a whole API request may take, body included, however slowly it trickles in.
    deadline: float = 120.0
    #: Requests in a row that end throttled before the host is left alone for ``cool_off``.
    #: Longest a file download may take (the size cap usually ends it first).
    file_deadline: float = 900.0
    #: Slower than this (bytes/s), once ``timeout`` has passed, a body is abandoned.
    min_rate: float = 2000.0
    throttle_limit: int = 5
    cool_off: float = 60.0
    max_retry_after: float = MAX_RETRY_AFTER


def settings_for(
    url: str,
    *,
    timeout: float = DEFAULTS.timeout,
    per_host: int = DEFAULTS.concurrency,
    retries: int = DEFAULTS.retries,
    max_rate: float | None = None,
    app_token: str = "",
    allow_hosts: tuple[str, ...] = (),
    allow_addresses: tuple[str, ...] = (),
) -> HttpSettings:
    """Settings for auditing the portal at ``url``: its origin is trusted, its host gets the token."""
    from urllib.parse import urlsplit

    from auditor.redact import remember

    remember(app_token)
    # Credentials written into a portal URL (https://user:password@host) are secrets like tokens:
    # masked in every report, store row, page and log line.
    remember(urlsplit(url).password)
    return HttpSettings(
        timeout=timeout, per_host=per_host, retries=retries, app_token=app_token,
        min_interval=1.0 / max_rate if max_rate else 0.0,
        token_host=urlsplit(url).hostname or "" if app_token else "",
        allowed_hosts=frozenset(allow_hosts) if allow_hosts else None,
        origin=url, allow_addresses=tuple(allow_addresses),
    )


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
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
        self._hosts: dict[str, _Host] = {}
        self.requests = 0
        s = self.settings
        if transport is None:
            from auditor.netguard import AllowList, transport_for

            allow = AllowList.parse(s.allow_addresses, origin=s.origin) if s.guard else None
            transport = transport_for(allow, limits=_LIMITS)
        self._client = httpx.Client(
            timeout=httpx.Timeout(s.timeout),
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=10,
            transport=transport,
            limits=_LIMITS,
            event_hooks={"request": [self._on_request]},
        )

    # -- policy hooks ---------------------------------------------------------------------
    def _on_request(self, request: httpx.Request) -> None:
        """Runs for every request, redirects included: host guard and token placement."""
        s = self.settings
        host = request.url.host
        if s.allowed_hosts is not None and host not in s.allowed_hosts:
            raise FetchError(f"host {host} is not allowed in this run", kind="forbidden")
        if s.app_token and host == s.token_host and _same_origin(request.url, s.origin):
            request.headers["X-App-Token"] = s.app_token
        else:
            # Never leak the token to a resource host or after a cross-host redirect.
            request.headers.pop("X-App-Token", None)
        with self._lock:
            self.requests += 1

    def _host(self, host: str) -> _Host:
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = self._hosts[host] = _Host(self.settings.per_host)
            return state

    @contextmanager
    def _slot(self, state: _Host) -> Iterator[None]:
        delay = state.acquire()
        try:
            if delay > 0:
                self._sleep(delay)
            if self.settings.min_interval:
                delay = state.pace(self.settings.min_interval)
                if delay > 0:
                    self._sleep(delay)
            yield
        finally:
            state.release()

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
        """Send a request with retries; the body is read (capped, within the deadline).

        Raises FetchError when it fails.
        """
        with self._send(method, url, params, headers, retry_statuses, stream=False) as resp:
            return resp

    @contextmanager
    def stream(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None
    ) -> Iterator[httpx.Response]:
        """Like :meth:`request` but the body is left unread for the caller to stream."""
        with self._send(method, url, None, headers, RETRY_STATUSES, stream=True) as resp:
            yield resp

    def chunks(self, resp: httpx.Response, *, deadline: float) -> Iterator[bytes]:
        """The decoded body in chunks; FetchError when it is still arriving after ``deadline`` s
        or arrives slower than ``min_rate`` once ``timeout`` seconds have passed.

        A read timeout catches a server that stops sending; this catches one that sends a
        byte now and then, forever. Chunks are whatever the socket delivered (httpx's own
        chunking would wait, unchecked, until a whole chunk had trickled in).
        """
        s = self.settings
        start = time.monotonic()
        got = 0
        for chunk in resp.iter_bytes():
            yield chunk
            got += len(chunk)
            elapsed = time.monotonic() - start
            if elapsed > deadline:
                raise FetchError(f"the server was still sending after {deadline:g} s; gave up",
                                 kind="timeout", status=resp.status_code)
            if elapsed > s.timeout and got < s.min_rate * elapsed:
                raise FetchError(f"the server sends too slowly ({got / elapsed:,.0f} bytes/s after "
                                 f"{elapsed:.0f} s); gave up", kind="timeout", status=resp.status_code)

    def _read_capped(self, resp: httpx.Response) -> None:
        limit = int(self.settings.max_json_mb * 1_000_000)
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise FetchError(f"the answer is {_mb(int(length))} (Content-Length), more than the "
                             f"{_mb(limit)} an API answer may take; not read",
                             kind="broken", status=resp.status_code)
        parts: list[bytes] = []
        size = 0
        for chunk in self.chunks(resp, deadline=self.settings.deadline):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"the answer grew past {_mb(limit)} without ending; not read",
                                 kind="broken", status=resp.status_code)
            parts.append(chunk)
        # What httpx's own read() does; done by hand to keep the cap and the deadline.
        resp._content = b"".join(parts)

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
        state = self._host(host)
        if state.resting_until > time.monotonic():
            raise FetchError(f"not tried: {host} kept answering HTTP 429 (too many requests), "
                             "so the auditor leaves it alone for a while", kind="blocked", status=429)
        s = self.settings
        attempts = s.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            resp: httpx.Response | None = None
            # The slot is held until the caller is done with the body, so a streamed
            # download counts against the host's limit for as long as it lasts.
            with self._slot(state):
                try:
                    resp, retry, wait = self._once(state, method, url, params, headers,
                                                   retry_statuses, last=last, stream=stream)
                except FetchError:
                    raise
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    failure, retryable = self._failure(exc)
                    if last or not retryable:
                        raise failure from None
                if resp is not None and not retry:
                    if resp.status_code == 429:
                        # Still throttled after every retry (or told to come back much later).
                        state.gave_up(s.throttle_limit, s.cool_off)
                    try:
                        yield resp
                    finally:
                        resp.close()
                    return
            # Waiting happens outside the slot: other requests to the host may go meanwhile.
            if resp is None:
                self._sleep(self._backoff(attempt))
                continue
            resp.close()
            pause = wait if wait is not None else self._backoff(attempt)
            if resp.status_code == 429 or wait is not None:
                # The host asked everyone to slow down: pause every worker on it, once.
                state.throttle(pause)
            else:
                self._sleep(pause)

    def _once(
        self,
        state: _Host,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        retry_statuses: frozenset[int],
        *,
        last: bool,
        stream: bool,
    ) -> tuple[httpx.Response, bool, float | None]:
        """One attempt, inside the host's slot: (response, whether to retry it, Retry-After seconds)."""
        s = self.settings
        started = time.monotonic()
        req = self._client.build_request(method, url, params=params, headers=headers)
        resp = self._client.send(req, stream=True)
        wait = parse_retry_after(resp.headers.get("Retry-After"))
        # A server asking us to come back much later is throttling, not broken: its answer
        # is final.
        retry = resp.status_code in retry_statuses and not last and not (
            wait is not None and wait > s.max_retry_after)
        try:
            if retry:
                self._drain(resp)
            elif not stream:
                self._read_capped(resp)
        except BaseException:
            resp.close()
            raise
        if resp.status_code < 400:
            state.success(time.monotonic() - started)
        return resp, retry, wait

    def _failure(self, exc: Exception) -> tuple[FetchError, bool]:
        """The FetchError for a transport failure, and whether trying again may help."""
        if isinstance(exc, httpx.TimeoutException):
            return FetchError(f"no answer within {self.settings.timeout:g} s (timed out)", kind="timeout"), True
        if isinstance(exc, httpx.TooManyRedirects):
            return FetchError("redirect loop: more than 10 redirects", kind="broken"), False
        if isinstance(exc, httpx.DecodingError):
            return FetchError("the server sent a compressed answer that cannot be decompressed",
                              kind="broken"), False
        if isinstance(exc, (httpx.TransportError, httpx.InvalidURL, httpx.UnsupportedProtocol)):
            text = describe_transport_error(exc)
            # A resolver that failed for now says nothing about the link.
            return FetchError(text, kind="unresolved" if text.startswith(TEMPORARY_DNS) else "broken"), True
        return FetchError(f"{type(exc).__name__}: {exc}", kind="broken"), False

    def _drain(self, resp: httpx.Response) -> None:
        """Read a little of an error body so the connection can be reused, then drop it."""
        try:
            for n, _ in enumerate(self.chunks(resp, deadline=min(5.0, self.settings.deadline))):
                if n > 16:
                    break
        except (httpx.HTTPError, FetchError):
            pass

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
                f"a web page (HTML) instead of JSON from {_short(str(resp.url))}", kind="not-json",
                status=resp.status_code,
            )
        try:
            return json.loads(text)
        except RecursionError:
            raise FetchError(f"JSON nested too deeply to read from {_short(str(resp.url))}",
                             kind="not-json", status=resp.status_code) from None
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


_LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=32)


def _same_origin(url: httpx.URL, origin: str) -> bool:
    """Scheme, host and port match (any, when no origin is set): a token is for one server only."""
    if not origin:
        return True
    other = httpx.URL(origin)
    ports = {"http": 80, "https": 443}
    return (url.scheme, url.host, url.port or ports.get(url.scheme)) == (
        other.scheme, other.host, other.port or ports.get(other.scheme))


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB" if n >= 1_000_000 else f"{n:,} bytes"


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


def describe_transport_error(exc: Exception) -> str:
    """A transport failure in words a data officer understands."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "host not found" in lowered or lowered.startswith(TEMPORARY_DNS):
            return text
        if "temporary failure in name resolution" in lowered or "try again" in lowered:
            return f"{TEMPORARY_DNS} ({text}); the resolver did not answer, the domain may well exist"
        if "name or service not known" in lowered or "nodename nor servname" in lowered:
            return f"host not found ({text})"
        if "refused" in lowered:
            return "connection refused"
        return f"could not connect ({text})"
    lowered = text.lower()
    if isinstance(exc, httpx.TimeoutException):
        return "the server stopped sending in the middle of the answer (timed out)"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "incomplete" in lowered or "without sending complete" in lowered:
            return "the server closed the connection before the whole answer was sent"
        return f"the server broke the HTTP protocol ({text})"
    if isinstance(exc, httpx.ReadError) and ("reset" in lowered or "104" in lowered):
        return "the server reset the connection in the middle of the answer"
    return f"{type(exc).__name__}: {text}"
