"""Fetch stage: download one URL politely and defensively with httpx.

The fetcher never raises for a bad response; it returns a `FetchResult` whose
`error` says what went wrong, so one broken server cannot stop a cycle, and
`failure` names the kind (dns, connect, tls, http, robots, ...) for code that
must tell a dead network from a broken page.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from monitor.config import FetchSettings
from monitor.network import Reachability, describe_connect_error
from monitor.politeness import (
    HostPacer,
    RobotsAnswer,
    RobotsCache,
    backoff,
    retry_after_seconds,
)

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
    # dns | connect | connect_timeout | tls | read_timeout | timeout | http | too_large |
    # redirects | decoding | protocol | robots; None when it worked
    failure: str | None = None
    duration_ms: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    attempts: int = 1
    blocked_by_robots: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class BodyTooLarge(Exception):
    pass


class Fetcher:
    """One shared httpx client with a concurrency limit per host and overall."""

    def __init__(self, settings: FetchSettings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._client = httpx.AsyncClient(
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
            },
            limits=httpx.Limits(
                max_connections=settings.total_concurrency,
                max_keepalive_connections=settings.total_concurrency,
            ),
            transport=transport,
            trust_env=False,
        )
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency)
        )
        self._total = asyncio.Semaphore(settings.total_concurrency)
        self._pacer = HostPacer()
        self._robots = RobotsCache(self._fetch_robots)
        self.network = Reachability()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET politely: robots.txt, per-host pacing, 429/503 waited out and retried."""
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
            rules = await self._robots.rules(f"{parts.scheme}://{parts.netloc}")
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
        while True:
            result = FetchResult(url=url, conditional=bool(headers), attempts=attempt + 1)
            await self._pacer.wait(host, delay)
            await self._attempt(url, headers, result)
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
                self._pacer.hold(host, self.settings.max_retry_after)
                break
            self._pacer.hold(host, wait)
            attempt += 1
        result.duration_ms = (time.perf_counter() - started) * 1000
        return result

    async def _attempt(
        self, url: str, headers: dict[str, str], result: FetchResult, cap: int | None = None
    ) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        async with self._total, self._hosts[host]:
            try:
                await self._get(url, headers, result, cap)
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
            except httpx.DecodingError as exc:
                result.error = f"cannot decompress the body: {exc}"
                result.failure = "decoding"
            except httpx.HTTPError as exc:
                result.error, result.failure = f"{type(exc).__name__}: {exc}", "protocol"
        if result.status is not None:
            self.network.answered(host)
        elif result.failure:
            self.network.failed(host, result.failure)

    async def _fetch_robots(self, url: str) -> RobotsAnswer:
        result = FetchResult(url=url)
        await self._attempt(url, {}, result, ROBOTS_MAX_BYTES)
        if result.status is None:
            return RobotsAnswer(None, None, result.error, result.failure)
        text = (result.body or b"").decode("utf-8", errors="replace")
        return RobotsAnswer(result.status, text, result.error, result.failure)

    async def _get(
        self, url: str, headers: dict[str, str], result: FetchResult, cap: int | None
    ) -> None:
        cap = cap or self.settings.max_body_bytes
        async with self._client.stream("GET", url, headers=headers) as response:
            result.status = response.status_code
            result.final_url = str(response.url)
            result.headers = dict(response.headers)
            result.content_type = response.headers.get("content-type")
            result.etag = response.headers.get("etag")
            result.last_modified = response.headers.get("last-modified")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise BodyTooLarge(f"body too large: Content-Length {declared} > limit {cap} bytes")
            chunks: list[bytes] = []
            size = 0
            # Read to the end even for 304 and errors: an unread response costs the
            # keep-alive connection. aiter_bytes yields decompressed bytes, so the
            # cap also stops gzip bombs.
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise BodyTooLarge(f"body too large: more than {cap} bytes")
                chunks.append(chunk)
            if response.status_code == 304:
                result.not_modified = True
                return
            if response.status_code >= 400:
                result.error = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                result.failure = "http"
                return
            result.body = b"".join(chunks)
