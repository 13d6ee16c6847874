"""Keep the auditor from becoming a probe of the network it runs in.

Resource URLs come from the portal, and a portal can list anything: the cloud metadata
service at 169.254.169.254, a router on 192.168.1.1, a database on localhost. So every
connection is vetted where it is made: the host name is resolved once, each address is
judged, and the socket is opened to a vetted address (never resolved a second time, so a
DNS answer that changes between check and use cannot slip through). The check sits in
the connection layer, so it applies to every request and to every hop of a redirect.

Trusted without asking: the portal's own origin (scheme, host and port as the user gave
them). Everything else that is not a public address needs an explicit allow-list entry
(``--allow-address``): a network (``10.0.0.0/8``), an address, or a host name with an
optional port (``intranet.city.local``, ``127.0.0.1:8080``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from auditor.errors import TEMPORARY_DNS, ConfigError, FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Carrier-grade NAT space: not private in RFC 1918's sense, but never a public web server,
# and where one cloud (100.100.100.200) keeps its metadata service.
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def why_forbidden(ip: IPAddress) -> str | None:
    """Why the auditor must not connect to ``ip`` by default, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return why_forbidden(ip.ipv4_mapped)
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services live)"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a carrier-grade NAT address"
    if ip.is_private:
        return "a private network address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class AllowList:
    """Addresses and hosts that may be fetched although they are not public."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, entries: Iterable[str], *, origin: str = "") -> AllowList:
        """Entries as given on the command line or in a config; ``origin`` is the portal URL."""
        networks: list[IPNetwork] = []
        hosts: set[tuple[str, int | None]] = set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            host, port = _split_port(entry)
            if not host or any(c in host for c in "/ @?#"):
                raise ConfigError(f"allow-address {raw!r}: expected a network (10.0.0.0/8), "
                                  "an address, or a host name with an optional :port")
            hosts.add((host.lower(), port))
        if origin:
            url = httpx.URL(origin)
            if url.host:
                hosts.add((url.host.lower(), url.port or _default_port(url.scheme)))
        return cls(tuple(networks), frozenset(hosts))

    def trusts_host(self, host: str, port: int) -> bool:
        """Whether the host name itself (with this port) was allowed."""
        host = host.lower().strip("[]")
        return (host, port) in self.hosts or (host, None) in self.hosts

    def trusts_address(self, ip: IPAddress) -> bool:
        """Whether an allowed network contains ``ip``."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip.version == net.version and ip in net for net in self.networks)


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):  # [::1]:8080
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    host, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and ":" not in host:
        return host, int(port)
    return entry, None


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


class QuickAckStream(httpcore.NetworkStream):
    """A socket stream that acknowledges every segment at once.

    Many servers send headers and body in two writes with Nagle's algorithm on: the body
    then waits for the client's delayed ACK, 40 ms per request on Linux, which would double
    the time of a crawl against a 50 ms portal. TCP_QUICKACK is not sticky, so it is set
    again before every read (one cheap system call).
    """

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        sock = inner.get_extra_info("socket")
        self._sock = sock if isinstance(sock, socket.socket) and hasattr(socket, "TCP_QUICKACK") else None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._sock is not None:
            try:
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            except OSError:
                self._sock = None
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return QuickAckStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class QuickAckBackend(httpcore.NetworkBackend):
    """httpcore's socket layer, with quick ACKs (see :class:`QuickAckStream`)."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return QuickAckStream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedBackend(QuickAckBackend):
    """The socket layer with the address check in front of every connect."""

    def __init__(self, allow: AllowList, resolve: Any = socket.getaddrinfo) -> None:
        super().__init__()
        self.allow = allow
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if self.allow.trusts_host(host, port):
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        addresses = self.vetted(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def vetted(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` the auditor may connect to; FetchError when there are none."""
        try:
            infos = self._resolve(host.strip("[]"), port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(dns_failure(host, exc)) from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"host not found: {host} ({exc})") from None
        allowed: list[str] = []
        refused: list[tuple[str, str]] = []
        for info in infos:
            text = str(info[4][0]).split("%", 1)[0]
            ip = ipaddress.ip_address(text)
            reason = why_forbidden(ip)
            if reason is None or self.allow.trusts_address(ip):
                if text not in allowed:
                    allowed.append(text)
            else:
                refused.append((text, reason))
        if not allowed:
            text, reason = refused[0] if refused else ("nothing", "no address")
            shown = host if host == text else f"{host} ({text})"
            raise FetchError(
                f"not fetched: {shown} is {reason}; the auditor only fetches public addresses "
                "unless told otherwise (--allow-address)",
                kind="forbidden",
            )
        return allowed


#: Resolver answers that say "try again": the name may well exist.
_TEMPORARY = {getattr(socket, name) for name in ("EAI_AGAIN", "EAI_FAIL", "EAI_SYSTEM", "EAI_MEMORY")
              if hasattr(socket, name)}


def dns_failure(host: str, exc: socket.gaierror) -> str:
    """A resolver failure in words: a domain that does not exist (NXDOMAIN: the link is
    broken) or a lookup that failed for now (the resolver's trouble, not the link's)."""
    if exc.errno in _TEMPORARY:
        return f"{TEMPORARY_DNS}: {host} ({exc.strerror}); the resolver did not answer, the domain may well exist"
    return f"host not found: {host} does not exist ({exc.strerror})"


def transport_for(allow: AllowList | None, **kwargs: Any) -> httpx.HTTPTransport:
    """An httpx transport with quick ACKs, and the address check unless ``allow`` is None."""
    transport = httpx.HTTPTransport(**kwargs)
    # httpx does not expose the backend; the pool reads this attribute on every new connection.
    transport._pool._network_backend = QuickAckBackend() if allow is None else GuardedBackend(allow)
    return transport
