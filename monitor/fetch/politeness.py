"""Politeness: robots.txt, a minimum delay between requests to one host, and
waiting out 429/503 answers.

robots.txt is parsed by Protego (Scrapy's parser: wildcards, Allow/Disallow
precedence by length, Crawl-delay), which follows RFC 9309 more closely than
`urllib.robotparser`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from protego import Protego

from monitor.fetch.network import UNREACHABLE

ROBOTS_TTL = 6 * 3600.0


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


class RobotsCache:
    """robots.txt per origin, fetched once per TTL.

    RFC 9309: a 4xx robots.txt means no restrictions; a 5xx or an unreachable
    server means "assume complete disallow" until it answers again.
    """

    def __init__(self, fetch: RobotsFetch, ttl: float = ROBOTS_TTL) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, origin: str) -> RobotsRules:
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached and time.monotonic() - cached.fetched_at < self._ttl:
                return cached
            answer = await self._fetch(origin + "/robots.txt")
            status, now = answer.status, time.monotonic()
            # Retry sooner than the TTL when it failed: an outage should not block a
            # site for hours.
            retry_soon = now - self._ttl + 300
            if status is not None and 200 <= status < 300:
                rules = RobotsRules(Protego.parse(answer.text or ""), now)
            elif status is not None and 400 <= status < 500:
                rules = RobotsRules(None, now)
            elif status is None and (answer.failure in UNREACHABLE or answer.failure == "blocked"):
                # The host itself is unknown, unreachable or refused by the SSRF guard
                # (robots.txt or its redirect): still "disallow", but the error says
                # so rather than blaming robots.txt.
                error = answer.error or "host unreachable"
                rules = RobotsRules(Protego.parse(DISALLOW_ALL), retry_soon, error, answer.failure)
            else:
                reason = answer.error or f"HTTP {status}"
                rules = RobotsRules(
                    Protego.parse(DISALLOW_ALL),
                    retry_soon,
                    f"robots.txt unavailable ({reason}); RFC 9309 says assume disallow",
                    "robots",
                )
            self._rules[origin] = rules
            return rules
