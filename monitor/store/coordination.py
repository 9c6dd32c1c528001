"""The job queue's side of the store (PostgreSQL only): claiming due documents
for the dispatcher, the queue's tables and figures, the queue's connection string.
Politeness shared between workers is in monitor/store/sharing.py."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from monitor.store.db import utcnow

if TYPE_CHECKING:
    from monitor.store.repo import Store


def conninfo(database_url: str) -> str:
    """A libpq URI for the job queue: the store's server, user and search_path."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def worker_name() -> str:
    """host:pid, unique among live workers, readable in `monitor sources status`."""
    return f"{socket.gethostname()}:{os.getpid()}"


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


def queue_figures(engine: Engine, stalled_after: float = 30.0) -> QueueFigures | None:
    """The job queue's figures, or None where there is no queue (SQLite, or a
    database no worker has used yet)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
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
