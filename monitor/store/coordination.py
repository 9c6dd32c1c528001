"""What several workers share through PostgreSQL: host pacing, host request
slots, robots.txt answers, claiming due documents, and the job queue's figures.

Why in the database: workers on several machines must agree on "the last request
to this host started 0.4 s ago" and "two requests are in flight there"; the
database is the one thing they all reach, and its clock is the one they share.
Every statement here is one short autocommit round trip (~0.3 ms on a local
PostgreSQL); the fetcher runs them in a thread so the event loop keeps serving.
PostgreSQL only: SQLite is single-process and uses `LocalPoliteness`.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from monitor.fetch.politeness import ROBOTS_RETRY, RobotsAnswer
from monitor.store.repo import Store, utcnow


def conninfo(database_url: str) -> str:
    """A libpq URI for the job queue: the store's server, user and search_path."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def worker_name() -> str:
    """host:pid, unique among live workers, readable in `monitor sources status`."""
    return f"{socket.gethostname()}:{os.getpid()}"


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


def claim_due(
    store: Store, source_id: str, limit: int, lease: float, watch_every: float
) -> list[int]:
    """Ids of the source's documents due for a check, moved out of "due" in the same
    statement so the next dispatch does not queue them again while they wait or run.

    A discovered document gets `lease` seconds (its check sets the real next time;
    if the check dies, it is due again when the lease ends); a watched URL gets its
    source's interval, which is how often it is checked.
    """
    now = utcnow()
    with store.session() as s, s.begin():
        rows = s.execute(
            text(
                "UPDATE documents SET next_check_at = CASE WHEN origin = 'watch' "
                "THEN :watch_next ELSE :lease_next END "
                "WHERE id IN (SELECT id FROM documents WHERE source_id = :source "
                "AND status IN ('active', 'removed') "
                "AND (next_check_at IS NULL OR next_check_at <= :now) "
                "ORDER BY next_check_at NULLS FIRST LIMIT :limit FOR UPDATE SKIP LOCKED) "
                "RETURNING id"
            ),
            {
                "source": source_id,
                "now": now,
                "limit": limit,
                "watch_next": now + timedelta(seconds=watch_every),
                "lease_next": now + timedelta(seconds=lease),
            },
        ).all()
    return sorted(int(r[0]) for r in rows)


@dataclass(frozen=True)
class QueueFigures:
    """What the job queue holds, for /metrics, /readyz and `monitor sources status`."""

    counts: dict[tuple[str, str], int]  # (queue, status) -> jobs
    oldest_todo_seconds: float | None  # how long the oldest waiting job has waited
    oldest_due_seconds: float | None  # how overdue the most overdue document is
    stalled: int  # jobs `doing` on a worker whose heartbeat stopped
    workers: int  # live workers (heartbeat in the last 30 s)
    running: dict[str, int]  # source -> checks running now
    queued: dict[str, int]  # source -> checks waiting


def queue_figures(store: Store, stalled_after: float = 30.0) -> QueueFigures | None:
    """The job queue's figures, or None where there is no queue (SQLite, or a
    database no worker has used yet)."""
    if store.engine.dialect.name != "postgresql":
        return None
    with store.engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return None
        counts = {
            (r[0], r[1]): int(r[2])
            for r in conn.execute(
                text(
                    "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
                    "WHERE status IN ('todo', 'doing', 'failed') GROUP BY 1, 2"
                )
            )
        }
        oldest = conn.execute(
            text(
                "SELECT extract(epoch FROM clock_timestamp() - min(e.at)) "
                "FROM procrastinate_jobs j JOIN procrastinate_events e "
                "ON e.job_id = j.id AND e.type = 'deferred' WHERE j.status = 'todo'"
            )
        ).scalar()
        stalled = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN "
                "procrastinate_workers w ON w.id = j.worker_id WHERE j.status = 'doing' "
                "AND (w.id IS NULL OR w.last_heartbeat < "
                "clock_timestamp() - make_interval(secs => :s))"
            ),
            {"s": stalled_after},
        ).scalar()
        workers = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_workers "
                "WHERE last_heartbeat > clock_timestamp() - make_interval(secs => :s)"
            ),
            {"s": stalled_after},
        ).scalar()
        per_source: dict[str, dict[str, int]] = {"todo": {}, "doing": {}}
        for status, source, n in conn.execute(
            text(
                "SELECT j.status::text, d.source_id, count(*) FROM procrastinate_jobs j "
                "JOIN documents d ON d.id = (j.args->>'document_id')::bigint "
                "WHERE j.task_name = 'monitor.check_document' "
                "AND j.status IN ('todo', 'doing') GROUP BY 1, 2"
            )
        ):
            per_source[status][source] = int(n)
        due = conn.execute(
            text(
                "SELECT extract(epoch FROM clock_timestamp() - min(next_check_at)) "
                "FROM documents WHERE status IN ('active', 'removed') "
                "AND next_check_at <= clock_timestamp()"
            )
        ).scalar()
    return QueueFigures(
        counts=counts,
        oldest_todo_seconds=None if oldest is None else float(oldest),
        oldest_due_seconds=None if due is None else float(due),
        stalled=int(stalled or 0),
        workers=int(workers or 0),
        running=per_source["doing"],
        queued=per_source["todo"],
    )


def ensure_queue_schema(store: Store, schema_sql: str) -> bool:
    """Create the job queue's tables (procrastinate's schema) once, beside ours.

    Several workers may start together: an advisory lock lets one create them
    while the others wait and then find them. Returns whether they were created."""
    if store.engine.dialect.name != "postgresql":
        raise ValueError("the job queue needs PostgreSQL; SQLite runs `monitor run` alone")
    with store.engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('monitor job queue schema'))"))
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
            return False
        # Through the driver's own cursor with no parameters: the schema's `%` signs
        # (in LIKE patterns) are not placeholders.
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            cursor.execute(schema_sql)
        finally:
            cursor.close()
    return True
