"""The one guard for every URL Truckroll fetches server-side (server-side request forgery).

A URL may be fetched only if it is ``https`` and its host resolves, every resolved address being a
public unicast one: never loopback, private (RFC 1918, unique-local ``fc00::/7``), link-local
(``169.254.0.0/16`` with the cloud metadata address ``169.254.169.254``, ``fe80::/10``), shared
address space (``100.64.0.0/10``), multicast, reserved, unspecified, documentation or benchmark
ranges, nor any of them wrapped in IPv6 (``::ffff:`` mapped, 6to4, Teredo, NAT64). A host that
resolves to several addresses is refused if any one of them is unsafe.

API:

- :func:`check_url` ``(url, resolve=resolve_host) -> GuardedUrl``: parse, resolve and check;
  raises :class:`UnsafeUrl` (a 422 problem when it reaches the HTTP edge) naming why. Use it to
  validate a URL when it is saved (a setting) and again before each fetch.
- :func:`is_public_address` ``(address) -> bool``: the address rule alone.
- :func:`fetch` ``(url, timeout=5.0, max_bytes=1 MiB) -> bytes``: check, then GET over TLS
  connected to the checked address itself (so DNS cannot answer differently between the check and
  the connection), certificate verified against the URL's host name, redirects not followed.

Hosts written as IP literals are checked as they are; ``resolve`` is injectable for tests.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from truckroll.errors import RuleViolation

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

DEFAULT_MAX_BYTES = 1024 * 1024

# Ranges ``is_global`` lets through on some Python versions, or that tunnel to another address.
_NOT_PUBLIC: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
    ipaddress.ip_network("100.64.0.0/10"),  # shared address space (carrier-grade NAT)
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("192.88.99.0/24"),  # 6to4 relay anycast
    ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64 (embeds an IPv4 address)
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
    ipaddress.ip_network("2001::/32"),  # Teredo (embeds an IPv4 address)
    ipaddress.ip_network("2002::/16"),  # 6to4 (embeds an IPv4 address)
    ipaddress.ip_network("2001:db8::/32"),  # documentation
)


class UnsafeUrl(RuleViolation):
    """A URL the system must not fetch."""


@dataclass(frozen=True)
class GuardedUrl:
    """A URL that passed the guard, with the addresses it was checked against."""

    url: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def is_public_address(address: IPAddress) -> bool:
    """True only for a public unicast address (IPv4-mapped IPv6 is judged by its IPv4 address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public_address(address.ipv4_mapped)
    if any(address in network for network in _NOT_PUBLIC if network.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def resolve_host(host: str, port: int) -> Sequence[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, resolve: Resolver = resolve_host) -> GuardedUrl:
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError as exc:
        raise UnsafeUrl(f"not a valid URL: {exc}") from exc
    if parts.scheme != "https":
        raise UnsafeUrl("only https URLs may be fetched")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL names no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("the URL must not carry credentials")
    literal = _literal(host)
    if literal is not None:
        candidates: Sequence[str] = [str(literal)]
    else:
        try:
            candidates = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise UnsafeUrl(f"host {host!r} does not resolve") from exc
    if not candidates:
        raise UnsafeUrl(f"host {host!r} does not resolve")
    for candidate in candidates:
        address = _literal(candidate.split("%", 1)[0])
        if address is None or not is_public_address(address):
            raise UnsafeUrl(f"host {host!r} resolves to a non-public address ({candidate})")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return GuardedUrl(url=url, host=host, port=port, path=path, addresses=tuple(candidates))


class _PinnedHttpsConnection(http.client.HTTPSConnection):
    """TLS to a checked address, verified against (and SNI for) the URL's host name."""

    def __init__(self, target: GuardedUrl, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._target = target
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._target.addresses[0], self._target.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self._target.host)


def fetch(
    url: str,
    timeout: float = 5.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    resolve: Resolver = resolve_host,
) -> bytes:
    """GET a guarded URL; any answer but 200 (redirects included) or a body over ``max_bytes``
    raises :class:`OSError`, as a failed connection does."""
    target = check_url(url, resolve)
    connection = _PinnedHttpsConnection(target, timeout, ssl.create_default_context())
    try:
        connection.request("GET", target.path, headers={"Accept": "*/*"})
        response = connection.getresponse()
        if response.status != 200:
            raise OSError(f"GET {url} answered {response.status}")
        body = response.read(max_bytes + 1)
    finally:
        connection.close()
    if len(body) > max_bytes:
        raise OSError(f"GET {url} answered more than {max_bytes} bytes")
    return body
