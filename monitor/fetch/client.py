"""Fetch stage: download one URL politely and defensively with httpx.

The fetcher never raises for a bad response; it returns a `FetchResult` whose
`error` says what went wrong, so one broken server cannot stop a cycle, and
`failure` names the kind (dns, connect, tls, http, robots, blocked, deadline,
...) for code that must tell a dead network from a broken page.

Defences against hostile servers: every connection passes the SSRF guard
(monitor/fetch/guard.py), each request has an overall deadline (a server trickling
headers or body a byte at a time cannot hold a check), and the body cap counts
decoded bytes while decoding (monitor/fetch/decompress.py), so a compression bomb
stops at the cap instead of filling memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpcore
import httpx

from monitor.config import FetchSettings
from monitor.fetch.decompress import ACCEPT_ENCODING, BodyTooLarge, DecodeFailed, decoded
from monitor.fetch.guard import ALLOW_PRIVATE, Blocked, Guard, GuardedBackend
from monitor.fetch.network import Reachability, describe_connect_error
from monitor.fetch.politeness import (
    LocalPoliteness,
    Politeness,
    RobotsAnswer,
    RobotsCache,
    RobotsShelf,
    backoff,
    retry_after_seconds,
)

log = logging.getLogger(__name__)
# The URL of the latest request (first hop or redirect) made in this task, so a
# refusal can name the redirect that was refused.
_HOP: ContextVar[str | None] = ContextVar("fetch_hop", default=None)

RETRY_STATUSES = (429, 503)
ROBOTS_MAX_BYTES = 512_000


@dataclass
class Validators:
    """What the server gave us last time, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchResult:
    url: str
    final_url: str | None = None
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    conditional: bool = False
    error: str | None = None
    # dns | connect | connect_timeout | tls | read_timeout | timeout | deadline | http |
    # too_large | redirects | decoding | protocol | robots | blocked; None when it worked
    failure: str | None = None
    duration_ms: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 1
    blocked_by_robots: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


async def _note_hop(request: httpx.Request) -> None:
    _HOP.set(str(request.url))


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every transport of the process: loading the CA bundle
    costs ~25-40 ms of CPU, and a context is safe to share between pools."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport on a connection pool whose network backend is guarded.

    httpx does not take a network backend, so the pool is rebuilt with one; the
    pool is keyed by origin, and each policy has its own transport, so a kept-alive
    connection opened for an allow_private source never serves another source.
    """

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits) -> None:
        context = _tls_context()
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class Fetcher:
    """Two httpx clients (public only; private allowed) with concurrency limits.

    Which client a request uses is the policy of the source it is made for
    (`monitor.fetch.guard.ALLOW_PRIVATE`, set per source by the pipeline), unless
    `allow_private` is passed. `transport` replaces the guarded one (tests).
    `politeness` and `robots_shelf` share pacing, slots and robots.txt with other
    workers (monitor/store/coordination.py); by default they live in this process.
    """

    def __init__(
        self,
        settings: FetchSettings,
        transport: httpx.AsyncBaseTransport | None = None,
        guard: Guard | None = None,
        *,
        politeness: Politeness | None = None,
        robots_shelf: RobotsShelf | None = None,
    ):
        self.settings = settings
        self.guard = guard or Guard()
        self._clients = {allow: self._client_for(allow, transport) for allow in (False, True)}
        self._total = asyncio.Semaphore(settings.total_concurrency)
        self.politeness = politeness or LocalPoliteness(settings.per_host_concurrency)
        # robots.txt per policy too: rules fetched for an allow_private source must
        # not let another source skip its own (refused) robots.txt request; on a
        # shared shelf the two policies keep apart keys.
        self._robots = {
            allow: RobotsCache(
                functools.partial(self._fetch_robots, allow=allow),
                shelf=robots_shelf,
                scope="private" if allow else "public",
            )
            for allow in (False, True)
        }
        self._refused: set[str] = set()
        self.network = Reachability()

    def _client_for(
        self, allow_private: bool, transport: httpx.AsyncBaseTransport | None
    ) -> httpx.AsyncClient:
        settings = self.settings
        limits = httpx.Limits(
            max_connections=settings.total_concurrency,
            max_keepalive_connections=settings.total_concurrency,
        )
        if transport is None:
            transport = GuardedTransport(GuardedBackend(self.guard, allow_private), limits)
        return httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=None,
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "ru,kk;q=0.9,en;q=0.8",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            limits=limits,
            transport=transport,
            trust_env=False,
            event_hooks={"request": [_note_hop]},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def screen(self, url: str, allow_private: bool | None = None) -> str | None:
        """Why the guard would refuse `url` now, or None: discovery uses it to drop
        and report links to private addresses before anything is fetched."""
        parts = urlsplit(url)
        allow = ALLOW_PRIVATE.get() if allow_private is None else allow_private
        default = 443 if parts.scheme == "https" else 80
        try:
            port = parts.port or default
        except ValueError:
            return None  # a malformed port fails at fetch time with its own error
        return await self.guard.screen(parts.hostname or "", port, allow)

    async def fetch(
        self,
        url: str,
        validators: Validators | None = None,
        *,
        allow_private: bool | None = None,
    ) -> FetchResult:
        """GET politely: robots.txt, per-host pacing, 429/503 waited out and retried.

        The whole check — robots.txt, every attempt and the waits between them — is
        bounded by `check_deadline`, counted from the first moment the host is ours
        (waiting for our turn at a busy host is not the server's fault).
        """
        allow = ALLOW_PRIVATE.get() if allow_private is None else allow_private
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        parts = urlsplit(url)
        host = parts.hostname or ""
        started = time.perf_counter()
        delay = self.settings.per_host_delay
        if self.settings.respect_robots:
            rules = await self._robots[allow].rules(f"{parts.scheme}://{parts.netloc}")
            if not rules.allows(url, self.settings.user_agent):
                # An unreachable host is also "disallow" (RFC 9309), but the error
                # names the host: robots.txt is not what is wrong there.
                return FetchResult(
                    url=url,
                    error=rules.error or "disallowed by robots.txt",
                    failure=rules.failure or "robots",
                    blocked_by_robots=rules.failure in (None, "robots"),
                )
            delay = max(delay, rules.crawl_delay(self.settings.user_agent))
        attempt = 0
        check_deadline = self.settings.check_deadline
        ends: float | None = None
        while True:
            result = FetchResult(url=url, conditional=bool(headers), attempts=attempt + 1)
            # The host's slot first, then its pacing: paced first, requests that
            # then queued for a slot would start together when slots free up.
            async with self.politeness.slot(host):
                await self.politeness.wait(host, delay)
                now = time.monotonic()
                ends = now + check_deadline if ends is None else ends
                if now >= ends:
                    result.error = f"check deadline exceeded after {check_deadline:g}s"
                    result.failure = "deadline"
                    break
                await self._attempt(
                    url, headers, result, allow=allow, budget=ends - now, host_slot=False
                )
            if result.status not in RETRY_STATUSES or attempt >= self.settings.max_retries:
                break
            wait = retry_after_seconds(result.headers.get("retry-after"))
            if wait is None:
                wait = backoff(attempt, self.settings.backoff_base, self.settings.max_retry_after)
            if wait > self.settings.max_retry_after:
                result.error = (
                    f"{result.error}; Retry-After {wait:g}s is over max_retry_after "
                    f"({self.settings.max_retry_after:g}s), not retried"
                )
                await self.politeness.hold(host, self.settings.max_retry_after)
                break
            if time.monotonic() + wait >= ends:
                result.error = (
                    f"{result.error}; a retry in {wait:g}s would pass the check deadline "
                    f"({check_deadline:g}s), not retried"
                )
                await self.politeness.hold(host, wait)
                break
            await self.politeness.hold(host, wait)
            attempt += 1
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    async def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        result: FetchResult,
        cap: int | None = None,
        *,
        allow: bool,
        budget: float | None = None,
        host_slot: bool = True,
    ) -> None:
        """One request (its redirects included) under the per-request deadline;
        `host_slot=False` when the caller holds the host's slot already."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        limit = self.settings.deadline if budget is None else min(self.settings.deadline, budget)
        slot = self.politeness.slot(host) if host_slot else contextlib.nullcontext()
        async with self._total, slot:
            try:
                async with asyncio.timeout(limit):
                    await self._get(url, headers, result, cap, allow)
            except TimeoutError:
                result.error = f"deadline exceeded after {limit:g}s (slow server)"
                result.failure = "deadline"
            except Blocked as exc:
                hop = _HOP.get()
                via = f" (redirected to {hop})" if hop and hop != url else ""
                result.error, result.failure = f"{exc}{via}", "blocked"
                if url not in self._refused:  # said once per URL, not every cycle
                    self._refused.add(url)
                    log.warning("%s: %s", url, exc)
            except BodyTooLarge as exc:
                result.error, result.failure = str(exc), "too_large"
            except httpx.TooManyRedirects:
                result.error = f"too many redirects (more than {self.settings.max_redirects})"
                result.failure = "redirects"
            except httpx.ConnectTimeout:
                result.error = f"connect timeout after {self.settings.connect_timeout:g}s ({host})"
                result.failure = "connect_timeout"
            except httpx.ReadTimeout:
                result.error = f"read timeout after {self.settings.read_timeout:g}s"
                result.failure = "read_timeout"
            except httpx.TimeoutException as exc:
                result.error, result.failure = f"timeout: {type(exc).__name__}", "timeout"
            except httpx.ConnectError as exc:
                result.failure, result.error = describe_connect_error(exc, host, parts.port)
            except (httpx.DecodingError, DecodeFailed) as exc:
                result.error = f"cannot decompress the body: {exc}"
                result.failure = "decoding"
            except httpx.HTTPError as exc:
                result.error, result.failure = f"{type(exc).__name__}: {exc}", "protocol"
        if result.status is not None:
            self.network.answered(host)
        elif result.failure:
            self.network.failed(host, result.failure)

    async def _fetch_robots(self, url: str, allow: bool) -> RobotsAnswer:
        result = FetchResult(url=url)
        await self._attempt(url, {}, result, ROBOTS_MAX_BYTES, allow=allow)
        if result.status is None:
            return RobotsAnswer(None, None, result.error, result.failure)
        text = (result.body or b"").decode("utf-8", errors="replace")
        return RobotsAnswer(result.status, text, result.error, result.failure)

    async def _get(
        self,
        url: str,
        headers: dict[str, str],
        result: FetchResult,
        cap: int | None,
        allow: bool,
    ) -> None:
        cap = cap or self.settings.max_body_bytes
        client = self._clients[allow]
        async with client.stream("GET", url, headers=headers) as response:
            result.status = response.status_code
            result.final_url = str(response.url)
            result.headers = dict(response.headers)
            result.content_type = response.headers.get("content-type")
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise BodyTooLarge(f"body too large: Content-Length {declared} > limit {cap} bytes")
            # Read to the end even for 304 and errors: an unread response costs the
            # keep-alive connection. Raw bytes, decoded here under the cap (see
            # monitor/fetch/decompress.py): httpx's own decoding has no output limit.
            body = await decoded(
                response.aiter_raw(), response.headers.get("content-encoding"), cap, declared
            )
            if response.status_code == 304:
                if not headers:
                    # Nothing to be "not modified" against: a broken or hostile server,
                    # and taking it as "unchanged" would hide every real change.
                    result.error = "304 Not Modified to a request without validators"
                    result.failure = "http"
                    return
                result.not_modified = True
                return
            if response.status_code >= 400:
                result.error = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                result.failure = "http"
                return
            result.body = body
