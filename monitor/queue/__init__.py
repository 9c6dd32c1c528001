"""Scale out: checks, discovery polls and alert deliveries as jobs of procrastinate,
a task queue on PostgreSQL, run by any number of `monitor worker` processes.

Why procrastinate: PostgreSQL is already the production database, so the queue
needs no new server; a periodic task is deferred once per tick whichever worker
sees it first (a unique row decides); `queueing_lock` keeps one waiting job per
document and `lock` one running; worker heartbeats find the jobs of a worker that
died. SQLite stays single-process (`monitor run` with APScheduler).

- app.py      the procrastinate App, its schema, and the four tasks
- runtime.py  what a worker process holds: config, store, a fetcher whose
              politeness and robots.txt are shared through the database
- worker.py   `monitor worker` and `monitor run --workers`: run, stop, signals
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor._lazy import exports

if TYPE_CHECKING:
    from monitor.queue.app import QUEUES, build_app
    from monitor.queue.worker import run_worker

__all__ = ["QUEUES", "build_app", "run_worker"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "QUEUES": "monitor.queue.app",
        "build_app": "monitor.queue.app",
        "run_worker": "monitor.queue.worker",
    },
)
