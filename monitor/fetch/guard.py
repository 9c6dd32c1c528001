"""SSRF guard: every connection the fetcher opens goes to a public address,
unless the source it is made for opted in with `allow_private: true`.

Why at the connection and not at the URL: a URL names a host, and what the host
resolves to can change between a check and the connect (DNS rebinding), and a
redirect can point anywhere. So the guard sits in the HTTP client's network
backend: each new connection — first hop, every redirect, robots.txt, feeds,
listings, sitemaps, discovered pages and attachments alike — resolves the host
once, refuses it if any resolved address is not public, and connects to exactly
the address it checked. The Host header and the TLS server name (SNI and the
certificate check) still use the host name: httpcore passes the origin's name
to the TLS layer, not the address we connect to.

Host spellings a browser or libc accepts (`2130706433`, `0x7f.1`, `017700000001`,
`127.1`) are read with `inet_aton` semantics, the way the connection would read
them, so they cannot slip past as "not an IP address".
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# allow_private never opens these: instance metadata services hand out cloud
# credentials, and link-local/multicast/unspecified are never a document server.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ULA = ipaddress.ip_network("fc00::/7")
_HINT_PRIVATE = "SSRF guard; set allow_private: true on the source to allow"
_HINT_NEVER = "SSRF guard; never allowed, not even with allow_private"

# Whether requests made now may reach private addresses: set per source by the
# pipeline (`private_allowed`), so discovery, examination, rechecks and
# attachments of a source all inherit its choice without passing it around.
ALLOW_PRIVATE: ContextVar[bool] = ContextVar("allow_private", default=False)


@contextmanager
def private_allowed(allowed: bool) -> Iterator[None]:
    """Requests made inside (and in tasks started inside) follow this policy."""
    token = ALLOW_PRIVATE.set(allowed)
    try:
        yield
    finally:
        ALLOW_PRIVATE.reset(token)


class Blocked(Exception):
    """A request refused by the guard; the message says which address and why."""


def literal_ip(host: str) -> IPAddress | None:
    """The address a host name spells literally, in any form libc accepts, else None."""
    host = host.strip("[]").rstrip(".")
    if "%" in host:  # fe80::1%eth0: the zone does not change the address class
        host = host.split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:  # decimal, octal, hex and short forms: 2130706433, 0x7f.1, 0177.0.0.1, 127.1
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), or itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def classify(ip: IPAddress) -> tuple[str, bool] | None:
    """(what the address is, whether allow_private may open it), or None if public."""
    inner = _embedded(ip)
    if inner in _METADATA or ip in _METADATA:
        kind = "link-local" if inner.is_link_local else "private"
        return f"a {kind} (cloud metadata) address", False
    if inner.is_unspecified:
        return "an unspecified address", False
    if inner.is_link_local:
        return "a link-local address", False
    if inner.is_multicast:
        return "a multicast address", False
    if inner == ipaddress.IPv4Address("255.255.255.255"):
        return "a broadcast address", False
    if inner.is_loopback:
        return "a loopback address", True
    if isinstance(inner, ipaddress.IPv4Address) and inner in _CGNAT:
        return "a carrier-grade NAT (100.64.0.0/10) address", True
    if isinstance(inner, ipaddress.IPv6Address) and inner in _ULA:
        return "a unique local (fc00::/7) address", True
    if inner.is_reserved:
        return "a reserved address", False
    if inner.is_private:
        return "a private address", True
    if not inner.is_global:
        return "a non-public address", True
    return None


def refusal(ip: IPAddress, allow_private: bool, name: str | None = None) -> str | None:
    """Why a connection to `ip` (resolved from `name`) is refused, or None if it may go."""
    found = classify(ip)
    if found is None:
        return None
    what, may = found
    if may and allow_private:
        return None
    inner = _embedded(ip)
    shown = f"{ip} (= {inner})" if inner != ip else str(ip)
    subject = f"{name} resolves to {shown}," if name else f"{shown} is"
    return f"refused: {subject} {what} ({_HINT_PRIVATE if may else _HINT_NEVER})"


def refusal_for_host(host: str, allow_private: bool = False) -> str | None:
    """The pure check of a literal host (no DNS): why it is refused, or None."""
    ip = literal_ip(host)
    return None if ip is None else refusal(ip, allow_private)


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve once, asynchronously; the addresses in the order libc prefers."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class Guard:
    """Resolves a host and refuses it unless every address may be reached.

    `treat_as_public` is a test seam: addresses listed there count as public, so
    a test can stand a "public" server on 127.0.0.2 without real DNS.
    """

    def __init__(
        self, resolver: Resolver | None = None, treat_as_public: Collection[str] = ()
    ) -> None:
        self.resolver = resolver or system_resolver
        self.public = frozenset(ipaddress.ip_address(a) for a in treat_as_public)

    async def addresses(self, host: str, port: int, allow_private: bool) -> list[IPAddress]:
        """The checked addresses to connect to; Blocked if any one is refused.

        All must pass, not just one: a name that resolves to a public and a
        private address would otherwise reach the private one on a retry.
        """
        literal = literal_ip(host)
        if literal is not None:
            found: Iterable[IPAddress] = [literal]
        else:
            try:
                answers = await self.resolver(host, port)
                found = [ip for a in answers if (ip := literal_ip(a)) is not None]
            except socket.gaierror as exc:
                raise httpcore.ConnectError(f"DNS lookup failed for {host}: {exc}") from exc
        ips = list(found)
        if not ips:
            raise httpcore.ConnectError(f"DNS lookup for {host} gave no address")
        name = None if literal is not None else host
        for ip in ips:
            if ip not in self.public and (reason := refusal(ip, allow_private, name)):
                raise Blocked(reason)
        return ips

    async def screen(self, host: str, port: int, allow_private: bool) -> str | None:
        """The refusal for a host, or None (DNS failures are left to the fetch)."""
        try:
            await self.addresses(host, port, allow_private)
        except Blocked as exc:
            return str(exc)
        except httpcore.ConnectError:
            return None
        return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard passed."""

    def __init__(self, guard: Guard, allow_private: bool) -> None:
        self.guard, self.allow_private = guard, allow_private
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        ips = await self.guard.addresses(host, port, self.allow_private)
        failure: Exception | None = None
        for ip in ips:  # the checked addresses, by IP: no second lookup to rebind
            try:
                return await self.inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise Blocked("refused: Unix sockets are never fetched (SSRF guard)")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
