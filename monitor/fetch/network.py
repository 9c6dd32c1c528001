"""What a failed connection means, in words an operator can act on, and whether
the network as a whole works.

httpx reports a DNS failure, a refused connection and a bad certificate all as
`ConnectError`; the cause is further down the exception chain. Naming it ("DNS
lookup failed for x.kz") tells the operator where to look, and telling the
network apart from one broken site lets the service say once, in one line,
that nothing is reachable instead of logging a puzzle per source.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections import Counter
from collections.abc import Iterator

# Failure kinds where the host never answered HTTP: it is unknown, unreachable
# or does not speak TLS. A robots.txt fetch failing this way says nothing about
# robots.txt, so the error names the host instead.
UNREACHABLE = frozenset({"dns", "connect", "tls", "connect_timeout"})

_PHRASES = {
    "dns": "DNS lookups fail",
    "connect": "connections fail",
    "connect_timeout": "connections time out",
    "tls": "TLS handshakes fail",
}
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ETIMEDOUT: "timed out",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe_connect_error(exc: BaseException, host: str, port: int | None) -> tuple[str, str]:
    """(kind, message) for a connection that failed before any HTTP answer."""
    where = f"{host}:{port}" if port else host
    links = list(_chain(exc))
    for link in links:
        if isinstance(link, socket.gaierror):
            return "dns", f"DNS lookup failed for {host} ({link.strerror or link})"
    for link in links:
        if isinstance(link, ssl.SSLCertVerificationError):
            return "tls", f"TLS: certificate not trusted for {host}: {link.verify_message}"
        if isinstance(link, ssl.SSLError):
            reason = link.reason or link.strerror or type(link).__name__
            return "tls", f"TLS: handshake with {where} failed: {reason.lower().replace('_', ' ')}"
    for link in links:
        if isinstance(link, OSError) and link.errno in _ERRNO_WORDS:
            return "connect", f"cannot connect to {where}: {_ERRNO_WORDS[link.errno]}"
    detail = str(exc) or "connection failed"
    return "connect", f"cannot connect to {where}: {detail}"


class Reachability:
    """The latest outcome per host: did it answer HTTP at all, or how it failed."""

    def __init__(self) -> None:
        self._hosts: dict[str, str] = {}

    def answered(self, host: str) -> None:
        self._hosts[host] = "ok"

    def failed(self, host: str, kind: str) -> None:
        if kind in UNREACHABLE:
            self._hosts[host] = kind

    def verdict(self) -> str | None:
        """One sentence when no host answers and every tried one failed; else None."""
        if not self._hosts or "ok" in self._hosts.values():
            return None
        counts = Counter(self._hosts.values()).most_common()
        if len(counts) == 1:
            kind, n = counts[0]
            what = f"{_PHRASES[kind]} for all {n} hosts" if n > 1 else _PHRASES[kind]
        else:
            what = ", ".join(f"{_PHRASES[k]} for {n} host{'s' * (n > 1)}" for k, n in counts)
        return f"no source reachable: {what} — check the network"
