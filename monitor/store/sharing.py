"""Host pacing, host request slots and robots.txt shared by several workers
through PostgreSQL: `monitor.fetch.politeness`'s two interfaces (Politeness,
RobotsShelf) kept in the database.

Why in the database: workers on several machines must agree on "the last request
to this host started 0.4 s ago" and "two requests are in flight there"; the
database is the one thing they all reach, and its clock is the one they share.
Every statement here is one short autocommit round trip (~0.3 ms on a local
PostgreSQL), run in a thread so the event loop keeps serving. PostgreSQL only:
SQLite is single-process and uses `LocalPoliteness`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, text

from monitor.fetch.politeness import ROBOTS_RETRY, RobotsAnswer
from monitor.store.coordination import worker_name
from monitor.store.repo import Store

# A claimed start the event loop resumes later than this is claimed again.
_LATE_CLAIM = 0.05
_LATE_RETRIES = 3


class SharedPoliteness:
    """`monitor.fetch.politeness.Politeness` across workers: one row per host says
    when its next request may start; `per_host_concurrency` leased slot rows per
    host bound the requests in flight, whichever worker sends them."""

    def __init__(self, store: Store, per_host_concurrency: int, lease: float = 300.0) -> None:
        self._engine: Engine = store.engine
        self._slots = per_host_concurrency
        self._lease = lease  # a slot held longer than this is a dead worker's
        self._me = worker_name()
        self._seeded: set[str] = set()

    def _sql(self, sql: str, **params: Any) -> Any:
        with self._engine.connect() as conn:
            result = conn.execute(text(sql), params)
            row = result.first() if result.returns_rows else None
            conn.commit()
            return row

    async def wait(self, host: str, delay: float) -> None:
        # Reserve the next start time atomically (the row lock serialises
        # reservations), then sleep until it: workers get distinct, spaced starts.
        row = await asyncio.to_thread(
            self._sql,
            "INSERT INTO host_pacing (host, next_at) "
            "VALUES (:host, clock_timestamp() + make_interval(secs => :delay)) "
            "ON CONFLICT (host) DO UPDATE SET next_at = "
            "greatest(host_pacing.next_at, clock_timestamp()) + make_interval(secs => :delay) "
            "RETURNING extract(epoch FROM next_at - clock_timestamp()) - :delay",
            host=host,
            delay=float(delay),
        )
        if row is not None and row[0] > 0:
            await asyncio.sleep(float(row[0]))
        if delay <= 0:
            return
        # The reservation orders the workers, but a busy process wakes late from
        # its sleep, and its start then fell beside the next worker's punctual one
        # (0.003 s apart at the server, for a delay of 0.3 s). So the start itself
        # is claimed too: only `delay` after the last actual start, else wait more.
        # And a claim the event loop only saw late (a process starved of CPU on a
        # busy machine: 0.2 s was seen) is claimed again, once its own start is
        # `delay` old, so no other worker's start falls beside this late one (a few
        # times at most: a process that is always late still gets its turn).
        late = 0
        while True:
            left, claimed = await asyncio.to_thread(self._claim_start, host, delay)
            if left > 0:
                await asyncio.sleep(left)
            elif time.monotonic() - claimed <= _LATE_CLAIM or late >= _LATE_RETRIES:
                return
            else:
                late += 1

    def _claim_start(self, host: str, delay: float) -> tuple[float, float]:
        """(0, when) when this request may start now (and it is recorded as started;
        `when`: time.monotonic() at the claim); otherwise the seconds until the last
        start is `delay` old."""
        with self._engine.connect() as conn:
            claimed = conn.execute(
                text(
                    "UPDATE host_pacing SET started_at = clock_timestamp() WHERE host = :host "
                    "AND (started_at IS NULL "
                    "OR started_at <= clock_timestamp() - make_interval(secs => :delay)) "
                    "RETURNING host"
                ),
                {"host": host, "delay": float(delay)},
            ).first()
            left = None
            if claimed is None:
                left = conn.execute(
                    text(
                        "SELECT extract(epoch FROM started_at + make_interval(secs => :delay) "
                        "- clock_timestamp()) FROM host_pacing WHERE host = :host"
                    ),
                    {"host": host, "delay": float(delay)},
                ).scalar()
            conn.commit()
        if claimed is not None or left is None:
            return 0.0, time.monotonic()
        return max(float(left), 0.001), 0.0  # the start in between may be just about over

    async def hold(self, host: str, seconds: float) -> None:
        await asyncio.to_thread(
            self._sql,
            "INSERT INTO host_pacing (host, next_at) "
            "VALUES (:host, clock_timestamp() + make_interval(secs => :s)) "
            "ON CONFLICT (host) DO UPDATE SET next_at = "
            "greatest(host_pacing.next_at, clock_timestamp() + make_interval(secs => :s))",
            host=host,
            s=float(seconds),
        )

    def _take(self, host: str) -> int | None:
        if host not in self._seeded:
            self._sql(
                "INSERT INTO host_slots (host, slot) SELECT :host, g "
                "FROM generate_series(0, :n - 1) AS g ON CONFLICT DO NOTHING",
                host=host,
                n=self._slots,
            )
            self._seeded.add(host)
        row = self._sql(
            "UPDATE host_slots SET holder = :me, "
            "lease_until = clock_timestamp() + make_interval(secs => :lease) "
            "WHERE (host, slot) = (SELECT host, slot FROM host_slots WHERE host = :host "
            "AND slot < :n AND (holder IS NULL OR lease_until < clock_timestamp()) "
            "ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING slot",
            host=host,
            me=self._me,
            n=self._slots,
            lease=self._lease,
        )
        return None if row is None else int(row[0])

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        pause = 0.02
        while (taken := await asyncio.to_thread(self._take, host)) is None:
            await asyncio.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(0.5, pause * 2)
        try:
            yield
        finally:
            await asyncio.to_thread(
                self._sql,
                "UPDATE host_slots SET holder = NULL, lease_until = NULL "
                "WHERE host = :host AND slot = :slot AND holder = :me",
                host=host,
                slot=taken,
                me=self._me,
            )


class SharedRobots:
    """`monitor.fetch.politeness.RobotsShelf` in the database."""

    def __init__(self, store: Store) -> None:
        self._engine: Engine = store.engine

    def _get(self, key: str) -> tuple[RobotsAnswer, float] | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT status, body, error, failure, "
                    "extract(epoch FROM clock_timestamp() - fetched_at) "
                    "FROM robots_cache WHERE key = :key AND fetched_at IS NOT NULL"
                ),
                {"key": key},
            ).first()
        if row is None:
            return None
        return RobotsAnswer(row[0], row[1], row[2], row[3]), float(row[4])

    async def get(self, origin: str) -> tuple[RobotsAnswer, float] | None:
        return await asyncio.to_thread(self._get, origin)

    def _claim(self, key: str, seconds: float, ttl: float) -> bool:
        with self._engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO robots_cache (key, claimed_until) "
                    "VALUES (:key, clock_timestamp() + make_interval(secs => :s)) "
                    "ON CONFLICT (key) DO UPDATE SET claimed_until = EXCLUDED.claimed_until "
                    "WHERE (robots_cache.claimed_until IS NULL "
                    "OR robots_cache.claimed_until < clock_timestamp()) "
                    "AND (robots_cache.fetched_at IS NULL OR robots_cache.fetched_at < "
                    "clock_timestamp() - make_interval(secs => CASE WHEN robots_cache.status "
                    "BETWEEN 200 AND 499 THEN :ttl ELSE :retry END)) RETURNING key"
                ),
                {"key": key, "s": float(seconds), "ttl": float(ttl), "retry": ROBOTS_RETRY},
            ).first()
        return row is not None

    async def claim(self, origin: str, seconds: float, ttl: float) -> bool:
        return await asyncio.to_thread(self._claim, origin, seconds, ttl)

    def _put(self, key: str, answer: RobotsAnswer) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO robots_cache (key, status, body, error, failure, fetched_at) "
                    "VALUES (:key, :status, :body, :error, :failure, clock_timestamp()) "
                    "ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status, "
                    "body = EXCLUDED.body, error = EXCLUDED.error, failure = EXCLUDED.failure, "
                    "fetched_at = EXCLUDED.fetched_at, claimed_until = NULL"
                ),
                {
                    "key": key,
                    "status": answer.status,
                    "body": answer.text,
                    "error": answer.error,
                    "failure": answer.failure,
                },
            )

    async def put(self, origin: str, answer: RobotsAnswer) -> None:
        await asyncio.to_thread(self._put, origin, answer)
