"""Politeness: robots.txt, a minimum delay between requests to one host, at
most so many requests in flight per host, and waiting out 429/503 answers.

robots.txt is parsed by Protego (Scrapy's parser: wildcards, Allow/Disallow
precedence by length, Crawl-delay), which follows RFC 9309 more closely than
`urllib.robotparser`.

One process keeps this state in memory (`LocalPoliteness`). Several workers
share it through the database (`monitor.store.coordination`), behind the same
two small interfaces: `Politeness` (pacing, holds, slots) and `RobotsShelf`
(robots.txt answers fetched once per host per TTL, whichever worker asks).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

from protego import Protego

from monitor.fetch.network import UNREACHABLE

ROBOTS_TTL = 6 * 3600.0


class Politeness(Protocol):
    """Per-host pacing, Retry-After holds and in-flight slots, for every request."""

    async def wait(self, host: str, delay: float) -> None:
        """Return when a request to `host` may start: at least `delay` after the last."""

    async def hold(self, host: str, seconds: float) -> None:
        """No request to `host` before `seconds` from now (Retry-After, backoff)."""

    def slot(self, host: str) -> AbstractAsyncContextManager[None]:
        """One of the host's `per_host_concurrency` request slots, held while inside."""


class HostPacer:
    """Spaces the requests to each host by at least a delay, across all tasks.

    A 429/503 with Retry-After pushes the host's next slot into the future, so
    every request to that host waits, not just the one that was refused.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clock = clock

    async def wait(self, host: str, delay: float) -> None:
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            now = self._clock()
            ready = self._next.get(host, now)
            if ready > now:
                await asyncio.sleep(ready - now)
            self._next[host] = max(ready, now) + delay

    def hold(self, host: str, seconds: float) -> None:
        self._next[host] = max(self._next.get(host, 0.0), self._clock() + seconds)


class LocalPoliteness:
    """Politeness kept in this process: one pacer and a semaphore per host."""

    def __init__(self, per_host_concurrency: int, clock: Callable[[], float] = time.monotonic):
        self.pacer = HostPacer(clock)
        self._slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(per_host_concurrency)
        )

    async def wait(self, host: str, delay: float) -> None:
        await self.pacer.wait(host, delay)

    async def hold(self, host: str, seconds: float) -> None:
        self.pacer.hold(host, seconds)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        async with self._slots[host]:
            yield


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter (AWS architecture blog's variant)."""
    return random.uniform(0, min(cap, base * 2**attempt))


@dataclass
class RobotsRules:
    parser: Protego | None  # None: no restrictions (no robots.txt, or 4xx)
    fetched_at: float
    error: str | None = None
    failure: str | None = None  # "robots", or how the host failed (dns, connect, ...)

    def allows(self, url: str, user_agent: str) -> bool:
        return self.parser is None or bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else 0.0


@dataclass(frozen=True)
class RobotsAnswer:
    """What fetching robots.txt gave: a status and text, or an error and its kind."""

    status: int | None
    text: str | None = None
    error: str | None = None
    failure: str | None = None  # a fetch.FetchResult failure kind


RobotsFetch = Callable[[str], Awaitable[RobotsAnswer]]
DISALLOW_ALL = "User-agent: *\nDisallow: /"
# How long a failed robots.txt (5xx, unreachable) is believed: an outage should
# not block a site for the whole TTL.
ROBOTS_RETRY = 300.0


class RobotsShelf(Protocol):
    """robots.txt answers shared by several workers (monitor/store/coordination.py)."""

    async def get(self, origin: str) -> tuple[RobotsAnswer, float] | None:
        """The stored answer for `origin` and its age in seconds, if any."""

    async def claim(self, origin: str, seconds: float, ttl: float) -> bool:
        """Whether this worker is the one to fetch `origin`'s robots.txt now: nobody
        else holds the claim (for `seconds`) and no answer is fresh (by `ttl`, or
        ROBOTS_RETRY for a failed one) — checked in one step, so an answer stored
        between a worker's look and its claim is not fetched again."""

    async def put(self, origin: str, answer: RobotsAnswer) -> None:
        """Store a fresh answer (and give up the claim)."""


def _fresh(answer: RobotsAnswer, age: float, ttl: float) -> bool:
    ok = answer.status is not None and 200 <= answer.status < 500
    return age < (ttl if ok else ROBOTS_RETRY)


class RobotsCache:
    """robots.txt per origin, fetched once per TTL.

    RFC 9309: a 4xx robots.txt means no restrictions; a 5xx or an unreachable
    server means "assume complete disallow" until it answers again.
    """

    def __init__(
        self,
        fetch: RobotsFetch,
        ttl: float = ROBOTS_TTL,
        shelf: RobotsShelf | None = None,
        scope: str = "public",
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._shelf = shelf
        self._scope = scope  # the shelf's key prefix: one SSRF policy's answers
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, origin: str) -> RobotsRules:
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached and time.monotonic() - cached.fetched_at < self._ttl:
                return cached
            answer, age = await self._answer(origin)
            rules = self._rules[origin] = self._parse(answer, time.monotonic() - age)
            return rules

    async def _answer(self, origin: str) -> tuple[RobotsAnswer, float]:
        """A fresh answer: from the shelf when another worker fetched it, else fetched
        here (once per origin across workers: the others wait for the claim)."""
        if self._shelf is None:
            return await self._fetch(origin + "/robots.txt"), 0.0
        key = f"{self._scope} {origin}"
        deadline = time.monotonic() + 30.0
        while True:
            stored = await self._shelf.get(key)
            if stored is not None and _fresh(stored[0], stored[1], self._ttl):
                return stored
            if await self._shelf.claim(key, 30.0, self._ttl) or time.monotonic() > deadline:
                answer = await self._fetch(origin + "/robots.txt")
                await self._shelf.put(key, answer)
                return answer, 0.0
            await asyncio.sleep(0.1)

    def _parse(self, answer: RobotsAnswer, fetched_at: float) -> RobotsRules:
        status = answer.status
        # Retry sooner than the TTL when it failed: an outage should not block a
        # site for hours.
        retry_soon = fetched_at - self._ttl + ROBOTS_RETRY
        if status is not None and 200 <= status < 300:
            return RobotsRules(Protego.parse(answer.text or ""), fetched_at)
        if status is not None and 400 <= status < 500:
            return RobotsRules(None, fetched_at)
        if status is None and (answer.failure in UNREACHABLE or answer.failure == "blocked"):
            # The host itself is unknown, unreachable or refused by the SSRF guard
            # (robots.txt or its redirect): still "disallow", but the error says
            # so rather than blaming robots.txt.
            error = answer.error or "host unreachable"
            return RobotsRules(Protego.parse(DISALLOW_ALL), retry_soon, error, answer.failure)
        reason = answer.error or f"HTTP {status}"
        return RobotsRules(
            Protego.parse(DISALLOW_ALL),
            retry_soon,
            f"robots.txt unavailable ({reason}); RFC 9309 says assume disallow",
            "robots",
        )
